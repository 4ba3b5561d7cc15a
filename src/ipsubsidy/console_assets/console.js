/* ipsubsidy operator console: the call's state lives here; the server is stateless. */
"use strict";
(function () {
  var T = {
    title: ["知识产权奖补咨询台", "IP subsidy hotline console"], city: ["所在城市", "City"],
    etype: ["主体类型", "Type of claimant"], asof: ["评估日期", "Evaluation date"], begin: ["开始", "Start"],
    submit: ["确定", "OK"], unknown: ["不知道", "Don't know"], skip: ["跳过", "Skip"], back: ["上一步", "Back"],
    done: ["问题已问完。", "No more questions."], say: ["读给来电人", "Read aloud"],
    claimable: ["现在可申请", "Claimable now"], other: ["候选/服务项目", "Candidate / service items"],
    open: ["待确认", "Still open"], recap: ["短信摘要", "SMS recap"], print: ["打印", "Print"],
    add: ["添加一项", "Add entry"], remove: ["删除", "Remove"], yes: ["是", "Yes"], no: ["否", "No"],
    none: ["（无）", "(none)"], total: ["合计", "Total"], yuan: ["元", "yuan"], wan: ["万元", "10k yuan"]
  };
  var lang = 0, names = {}, schema = null, state = null, history = [], question = null, last = null;
  function $(id) { return document.getElementById(id); }
  function t(key) { return T[key][lang]; }
  function el(tag, attrs, text) {
    var e = document.createElement(tag); attrs = attrs || {};
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text; return e;
  }
  function resolve(node) {
    if (!node) return {};
    while (node.anyOf) node = node.anyOf.filter(function (x) { return x.type !== "null"; })[0] || {};  /* nested: number | text */
    if (node.$ref) { var name = node.$ref.split("/").pop(); return Object.assign({}, schema.$defs[name], {$name: name}); }
    return node;
  }
  function valueName(v) { return lang ? String(v).replace(/_/g, " ") : (names[v] || v); }
  function fieldLabel(spec, name) { return (lang ? spec.en : spec.zh) || spec.title || name; }
  /* exact money: 万元 shifts the decimal point by four places, no float arithmetic */
  function toYuan(text, unit) {
    text = String(text).trim().replace(/,/g, "");
    if (!/^-?\d+(\.\d+)?$/.test(text)) return text;
    if (unit !== "wan") return text;
    var neg = text[0] === "-"; if (neg) text = text.slice(1);
    var parts = text.split("."), frac = (parts[1] || "") + "0000";
    var whole = (parts[0] + frac.slice(0, 4)).replace(/^0+(?=\d)/, ""), rest = frac.slice(4).replace(/0+$/, "");
    return (neg ? "-" : "") + whole + (rest ? "." + rest : "");
  }
  function kind(spec) {
    if (spec && spec.unit === "yuan") return "money";  /* money fields say so in the schema */
    var s = resolve(spec);
    if (s.enum) return "enum";
    if (s.type === "boolean") return "bool";
    if (s.format === "date") return "date";
    if (s.type === "integer") return "int";
    if (s.type === "array") return "array";
    if (s.type === "number") return "money";
    return "str";
  }
  function input(name, spec, id, value) {
    var k = kind(spec), s = resolve(spec), wrap = el("div", {"class": "field", "data-field": name});
    var label = el("label", {"for": id}, fieldLabel(spec, name)); wrap.appendChild(label);
    var box;
    if (k === "enum" || k === "bool") {
      box = el("select", {id: id, name: name});
      box.appendChild(el("option", {value: ""}, "—"));
      var opts = k === "bool" ? [["true", t("yes")], ["false", t("no")]] : s.enum.map(function (v) { return [v, valueName(v)]; });
      opts.forEach(function (o) { var op = el("option", {value: o[0]}, o[1]); if (String(value) === o[0]) op.selected = true; box.appendChild(op); });
    } else if (k === "array") {
      box = el("input", {id: id, name: name, type: "text", placeholder: "RU, KZ"});
      if (value) box.value = value.join(", ");
    } else {
      box = el("input", {id: id, name: name, type: "text", placeholder: k === "date" ? "2021-08-16" : "", inputmode: k === "int" || k === "money" ? "decimal" : "text"});
      if (value !== undefined && value !== null) box.value = value;
    }
    box.dataset.kind = k; wrap.appendChild(box);
    if (k === "money") {
      var unit = el("select", {id: id + "-unit", "aria-label": "unit"});
      unit.appendChild(el("option", {value: "yuan"}, t("yuan"))); unit.appendChild(el("option", {value: "wan"}, t("wan")));
      wrap.appendChild(unit);
    }
    wrap.appendChild(el("span", {"class": "field-error", id: id + "-error", role: "alert"}));
    return wrap;
  }
  function readField(wrap) {
    var box = wrap.querySelector("input,select"), v = box.value.trim(), k = box.dataset.kind;
    if (v === "") return undefined;
    if (k === "bool") return v === "true";
    if (k === "int") return /^-?\d+$/.test(v) ? parseInt(v, 10) : v;
    if (k === "array") return v.split(/[,，\s]+/).filter(Boolean);
    if (k === "money") { var u = wrap.querySelector("select[id$='-unit']"); return toYuan(v, u ? u.value : "yuan"); }
    return v;
  }
  function entryModel(path) {
    var root = path.split(/[.\[]/)[0];
    var s = resolve(schema.properties[root]);
    return s.type === "array" ? resolve(s.items) : s;
  }
  function entryBox(model, n, values, skipKey) {
    var fs = el("fieldset", {"data-entry": n});
    fs.appendChild(el("legend", {}, "#" + (n + 1)));
    Object.keys(model.properties).forEach(function (name) {
      if (name === skipKey) return;
      var spec = Object.assign({$key: name}, model.properties[name]);
      fs.appendChild(input(name, spec, "e" + n + "-" + name, values ? values[name] : undefined));
    });
    return fs;
  }
  function readEntry(fs) {
    var out = {};
    fs.querySelectorAll(".field").forEach(function (w) { var v = readField(w); if (v !== undefined) out[w.dataset.field] = v; });
    return out;
  }
  function render(q) {
    question = q; var box = $("qinput"); box.innerHTML = ""; $("qerror").textContent = "";
    $("question").hidden = !q; $("done").hidden = !!q; $("back").disabled = history.length === 0;
    if (!q) return;
    $("qtext").textContent = lang ? q.en : q.zh;
    if (q.type === "list") {
      var model = entryModel(q.path), list = el("div", {id: "entries"});
      box.appendChild(list);
      var add = el("button", {type: "button", id: "add"}, t("add"));
      add.addEventListener("click", function () { addEntry(model); });
      box.appendChild(add);
    } else if (q.type === "entry") {
      var m = /\[(\w+)=([^\]]+)\]/.exec(q.path), model2 = entryModel(q.path);
      box.appendChild(entryBox(model2, 0, null, m ? m[1] : null));
    } else {
      var spec = {zh: q.zh, en: q.en, $key: q.path};
      if (q.type === "enum") spec.enum = q.choices; else if (q.type === "bool") spec.type = "boolean";
      else if (q.type === "date") spec.format = "date"; else if (q.type === "int") spec.type = "integer";
      else if (q.type === "money") spec.type = "number";
      var w = input(q.path, spec, "answer"); w.querySelector("label").textContent = t("submit") === "OK" ? "Answer" : "回答";
      box.appendChild(w);
    }
    var first = box.querySelector("input,select,button"); if (first) first.focus();
  }
  function addEntry(model) {
    var list = $("entries"), n = list.children.length, fs = entryBox(model, n, null, null);
    var rm = el("button", {type: "button", "class": "remove"}, t("remove"));
    rm.addEventListener("click", function () { fs.remove(); });
    fs.appendChild(rm); list.appendChild(fs); fs.querySelector("input,select").focus();
  }
  function answerValue() {
    var q = question;
    if (q.type === "list") return Array.prototype.map.call($("entries").children, readEntry);
    if (q.type === "entry") return readEntry($("qinput").querySelector("fieldset"));
    return readField($("qinput").querySelector(".field"));
  }
  function showErrors(detail) {
    (Array.isArray(detail) ? detail : [{field: "", message: String(detail)}]).forEach(function (d) {
      var f = d.field || "", m = /\[(\d+)\]\.(\w+)$/.exec(f), leaf = /(\w+)$/.exec(f);
      var target = (m && $("e" + m[1] + "-" + m[2] + "-error")) || (leaf && $("e0-" + leaf[1] + "-error")) || $("answer-error");
      var msg = (lang ? "Check this: " : "填写有误：") + d.message;
      if (target) target.textContent = msg; else $("qerror").textContent = f + "：" + d.message;
    });
  }
  function post(body, onok) {
    var q = $("asof").value ? "?as_of=" + $("asof").value : "";
    fetch("/answer" + q + (q ? "&" : "?") + "lang=" + (lang ? "en" : "zh"), {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (pair) { if (pair[0] === 200) onok(pair[1]); else showErrors(pair[1].detail); })
      .catch(function (e) { $("qerror").textContent = String(e); });
  }
  function apply(data) { last = data; state.profile = data.profile; panel(data); render(data.next); }
  function send(answer, skipPath) {
    var before = JSON.parse(JSON.stringify(state));
    var skipped = state.skipped.slice(); if (skipPath) skipped.push(skipPath);
    post({profile: state.profile, answer: answer, skipped: skipped}, function (data) {
      history.push(before); state.skipped = skipped; apply(data);
    });
  }
  function money(v) { return v === null || v === undefined ? "—" : v + (lang ? " " : "") + t("yuan"); }
  var STATUS = {candidate: ["可参与评选", "may be selected"], service_available: ["可使用的服务", "service available"],
    encouraged: ["政策鼓励", "encouraged"], policy_pending: ["政策待制定", "policy pending"], needs_info: ["待补充信息", "needs information"]};
  function panel(data) {
    var r = data.result, L = lang ? "en" : "zh";
    $("total").textContent = t("total") + " " + money(r.total);
    $("total").dataset.total = r.total;
    var claim = $("claim"), other = $("other"), open = $("open"); claim.innerHTML = other.innerHTML = open.innerHTML = "";
    r.items.forEach(function (i) {
      if (i.status === "eligible") claim.appendChild(el("li", {}, i.title[L] + "：" + money(i.amount.subtotal)));
      else if (i.status === "needs_info") open.appendChild(el("li", {}, i.title[L]));
    });
    (r.other || []).forEach(function (i) {
      if (["candidate", "service_available", "encouraged", "policy_pending", "needs_info"].indexOf(i.status) >= 0)
        other.appendChild(el("li", {}, i.title[L] + "（" + (STATUS[i.status] || [i.status, i.status])[lang] + "）"));
    });
    [claim, other, open].forEach(function (u) { if (!u.children.length) u.appendChild(el("li", {}, t("none"))); });
    $("short").textContent = data.short[L];
    var lines = [data.short[L]];
    r.items.filter(function (i) { return i.status === "eligible"; }).forEach(function (i) {
      lines.push(i.title[L] + " " + money(i.amount.subtotal) + "（《" + i.citation.document + "》" + i.citation.section + "）");
    });
    $("recap").textContent = lines.join("\n");
  }
  function labels() {
    document.querySelectorAll("[data-t]").forEach(function (e) { e.textContent = t(e.dataset.t); });
    $("lang").textContent = lang ? "中文" : "English";
    Array.prototype.forEach.call($("etype").options, function (o) { o.textContent = valueName(o.value); }); document.documentElement.lang = lang ? "en" : "zh";
    if (last) { panel(last); render(question); }
  }
  $("lang").addEventListener("click", function () { lang = 1 - lang; labels(); });
  $("start").addEventListener("submit", function (ev) {
    ev.preventDefault();
    state = {profile: {city: $("city").value, entity_type: $("etype").value}, skipped: []}; history = [];
    post({profile: state.profile, skipped: []}, apply);
  });
  $("question").addEventListener("submit", function (ev) {
    ev.preventDefault(); if (!question) return;
    var v = answerValue(); if (v === undefined) { $("qerror").textContent = lang ? "Please answer, or press Don't know." : "请填写，或按“不知道”。"; return; }
    send({path: question.path, value: v}, null);
  });
  $("unknown").addEventListener("click", function () { if (question) send(null, question.path); });
  $("skip").addEventListener("click", function () { if (question) send(null, question.path); });
  $("back").addEventListener("click", function () {
    if (!history.length) return; state = history.pop();
    post({profile: state.profile, skipped: state.skipped}, apply);
  });
  $("print").addEventListener("click", function () { window.print(); });
  fetch("/schema").then(function (r) { return r.json(); }).then(function (s) {
    schema = s; var e = schema.$defs.EntityType.enum;
    fetch("/console/labels.json").then(function (r) { return r.json(); }).then(function (n) {
      names = n; e.forEach(function (v) { $("etype").appendChild(el("option", {value: v}, valueName(v))); });
    });
  });
}());
