/* 电子表单 The e-form page script: conditional show/hide, computed fields, adding/removing table
 * rows.  Implements the restricted grammar of yiwang/catalog/forms/expressions.py with its own
 * parser (never eval / new Function).  The server re-checks and recomputes everything. */
(function () {
  "use strict";

  function tokenize(text) {
    var re = /\s*(?:(\d{1,15}(?:\.\d{1,10})?)|((?:data|row)\.[A-Za-z][A-Za-z0-9_]{0,49})|(sum)\s*\(|('[A-Za-z][A-Za-z0-9_]{0,49}'|"[A-Za-z][A-Za-z0-9_]{0,49}")|([-+*\/(),]))/y;
    var out = [], m;
    text = text.replace(/^\s*value\s*=\s*/, "").replace(/[;\s]+$/, "");
    re.lastIndex = 0;
    while (re.lastIndex < text.length) {
      m = re.exec(text);
      if (!m) { throw new Error("bad expression"); }
      if (m[1]) { out.push(["num", parseFloat(m[1])]); }
      else if (m[2]) { out.push(["ref", m[2]]); }
      else if (m[3]) { out.push(["sum", "sum"]); }
      else if (m[4]) { out.push(["str", m[4].slice(1, -1)]); }
      else { out.push(["op", m[5]]); }
    }
    return out;
  }

  function parse(source) {
    var t = tokenize(source), i = 0;
    function peek() { return t[i]; }
    function isOp(tok, chars) { return tok && tok[0] === "op" && chars.indexOf(tok[1]) >= 0; }
    function expect(v) { var tok = t[i++]; if (!tok || tok[1] !== v) { throw new Error("expected " + v); } }
    function expr() { var l = term(); while (isOp(peek(), "+-")) { var op = t[i++][1]; l = ["bin", op, l, term()]; } return l; }
    function term() { var l = unary(); while (isOp(peek(), "*/")) { var op = t[i++][1]; l = ["bin", op, l, unary()]; } return l; }
    function unary() { if (isOp(peek(), "-")) { i++; return ["neg", unary()]; } return primary(); }
    function primary() {
      var tok = t[i++];
      if (!tok) { throw new Error("incomplete"); }
      if (tok[0] === "num") { return tok; }
      if (tok[0] === "ref") { var p = tok[1].split("."); return [p[0], p[1]]; }
      if (tok[0] === "sum") {
        var table = t[i++]; expect(","); var col = t[i++]; expect(")");
        return ["sum", table[1].split(".")[1], col[1]];
      }
      if (isOp(tok, "(")) { var e = expr(); expect(")"); return e; }
      throw new Error("unexpected");
    }
    var tree = expr();
    if (i !== t.length) { throw new Error("trailing"); }
    return tree;
  }

  function num(v) { var n = parseFloat(String(v == null ? "" : v).replace(/,/g, "")); return isFinite(n) ? n : 0; }

  function evaluate(node, env) {
    switch (node[0]) {
      case "num": return node[1];
      case "data": return num(env.data(node[1]));
      case "row": return num(env.row(node[1]));
      case "sum": return env.column(node[1], node[2]).reduce(function (a, b) { return a + num(b); }, 0);
      case "neg": return -evaluate(node[1], env);
      default:
        var l = evaluate(node[2], env), r = evaluate(node[3], env);
        if (node[1] === "+") { return l + r; }
        if (node[1] === "-") { return l - r; }
        if (node[1] === "*") { return l * r; }
        if (r === 0) { throw new Error("division by zero"); }
        return l / r;
    }
  }

  function fieldValue(field) {
    var type = field.getAttribute("data-eform-type");
    var inputs = field.querySelectorAll("input, select, textarea");
    if (type === "checkbox") { return inputs[0] && inputs[0].checked; }
    if (type === "radio" || type === "selectboxes") {
      var picked = [];
      inputs.forEach(function (el) { if (el.checked) { picked.push(el.value); } });
      return type === "radio" ? (picked[0] || "") : picked;
    }
    return inputs[0] ? inputs[0].value : "";
  }

  function isEmpty(v) { return v == null || v === "" || v === false || (Array.isArray(v) && v.length === 0); }

  function equals(v, expected) {
    if (Array.isArray(v)) { return v.indexOf(String(expected)) >= 0; }
    if (typeof v === "boolean") { return v === ["true", "1", "yes", "on"].indexOf(String(expected).toLowerCase()) >= 0; }
    if (String(v) === String(expected)) { return true; }
    return v !== "" && String(expected) !== "" && isFinite(v) && isFinite(expected) && Number(v) === Number(expected);
  }

  function compare(op, v, expected) {
    if (op === "isEmpty") { return isEmpty(v); }
    if (op === "isNotEmpty") { return !isEmpty(v); }
    if (op === "isEqual") { return equals(v, expected); }
    if (op === "isNotEqual") { return !equals(v, expected); }
    if (!isFinite(parseFloat(v)) || !isFinite(parseFloat(expected))) { return false; }
    return op === "greaterThan" ? parseFloat(v) > parseFloat(expected) : parseFloat(v) < parseFloat(expected);
  }

  function holds(cond, lookup) {
    var show = cond.show === true || String(cond.show).toLowerCase() === "true";
    var matched;
    if (cond.conditions && cond.conditions.length) {
      var results = cond.conditions.map(function (c) {
        return compare(c.operator, lookup(String(c.component || "").split(".").pop()), c.value);
      });
      matched = cond.conjunction === "any" ? results.some(Boolean) : results.every(Boolean);
    } else if (cond.when) {
      matched = equals(lookup(cond.when), cond.eq == null ? "" : cond.eq);
    } else { return true; }
    return show ? matched : !matched;
  }

  function setup(form) {
    function scope(el) { return el.closest(".eform-row") || form; }
    function find(root, key) { return root.querySelector('[data-eform-key="' + key + '"]'); }
    function visible(el) { return !el.closest("[data-eform-hidden]"); }
    function lookup(root) {
      return function (key) {
        var el = (root !== form && find(root, key)) || find(form, key);
        return el && visible(el) ? fieldValue(el) : null;
      };
    }
    function refresh() {
      for (var pass = 0; pass < 3; pass++) {
        form.querySelectorAll("[data-calculate]").forEach(function (el) {
          var row = el.closest(".eform-row");
          var env = {
            data: function (k) { var f = find(form, k); return f && visible(f) ? fieldValue(f) : 0; },
            row: function (k) { var f = row && find(row, k); return f ? fieldValue(f) : 0; },
            column: function (table, col) {
              var t = find(form, table);
              if (!t) { return []; }
              return Array.prototype.map.call(t.querySelectorAll(".eform-rows > .eform-row"), function (r) {
                var f = find(r, col); return f ? fieldValue(f) : 0;
              });
            }
          };
          var input = el.querySelector("input, textarea");
          if (!input) { return; }
          try {
            if (!el._tree) { el._tree = parse(el.getAttribute("data-calculate")); }
            var result = evaluate(el._tree, env);
            var decimals = el.getAttribute("data-eform-type") === "currency" ? 2 : parseInt(el.getAttribute("data-decimals") || "2", 10);
            input.value = isFinite(result) ? result.toFixed(decimals).replace(/\.0+$|(\.\d*?)0+$/, "$1") : "";
          } catch (e) { input.value = ""; }
        });
        form.querySelectorAll("[data-conditional]").forEach(function (el) {
          var shown = true;
          try { shown = holds(JSON.parse(el.getAttribute("data-conditional")), lookup(scope(el))); } catch (e) { shown = true; }
          if (shown) { el.removeAttribute("data-eform-hidden"); el.hidden = false; }
          else { el.setAttribute("data-eform-hidden", ""); el.hidden = true; }
        });
      }
    }
    function renumber(table) {
      table.querySelectorAll(".eform-rows > .eform-row").forEach(function (row, i) {
        var no = row.querySelector(".eform-row-no");
        if (no) { no.textContent = (table.getAttribute("data-row-label") || "第 __n__ 行").replace("__n__", String(i + 1)); }
      });
    }
    form.querySelectorAll('[data-eform-type="datagrid"]').forEach(function (table) {
      var add = table.querySelector("[data-add-row]"), tpl = table.querySelector("template[data-row-template]");
      var rows = table.querySelector(".eform-rows"), max = parseInt(table.getAttribute("data-max-rows") || "100", 10);
      var next = rows.children.length;
      if (!add || !tpl) { return; }
      add.hidden = false;
      add.addEventListener("click", function () {
        if (rows.children.length >= max) { return; }
        var html = tpl.innerHTML.split("__row__").join(String(next++));
        var holder = document.createElement("div");
        holder.innerHTML = html;
        rows.appendChild(holder.firstElementChild);
        renumber(table); refresh();
      });
      table.addEventListener("click", function (event) {
        var button = event.target.closest("[data-remove-row]");
        if (!button || !rows.contains(button)) { return; }
        var min = parseInt(table.getAttribute("data-min-rows") || "0", 10);
        if (rows.children.length > Math.max(min, 1)) { button.closest(".eform-row").remove(); }
        else { button.closest(".eform-row").querySelectorAll("input, textarea, select").forEach(function (i) { if (i.type === "checkbox" || i.type === "radio") { i.checked = false; } else { i.value = ""; } }); }
        renumber(table); refresh();
      });
    });
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  }

  function init() { document.querySelectorAll("[data-eform]").forEach(setup); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
  window.yiwangForms = { parse: parse, evaluate: evaluate, holds: holds };
})();
