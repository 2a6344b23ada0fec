/* 电子表单设计器: Form.io's open-source builder with the platform's palette and trimmed edit dialogs.
   The definition travels in #builder-definition (json_script); 保存 posts it as JSON (CSRF header) and
   shows the server's errors next to the components; 预览 puts it into #preview-definition for htmx.
   No eval: Form.io's evaluator runs in its no-eval mode (the page's CSP has no 'unsafe-eval'). */
(function () {
  "use strict";

  function data(id, fallback) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : fallback;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function field(title, key, icon, schema) {
    schema.label = schema.label || title;
    schema.key = schema.key || key;
    schema.input = schema.type !== "content" && schema.type !== "panel";
    return {title: title, key: key, icon: icon, schema: schema};
  }

  function codeSelect(title, key, table) {
    return field(title, key, "list", {
      type: "select", dataSrc: "values", data: {values: []}, properties: {codeTable: table}
    });
  }

  var PALETTE = {
    basic: false, advanced: false, layout: false, data: false, premium: false,
    jiben: {
      title: "基本", weight: 0, default: true,
      components: {
        textfield: true, textarea: true, number: true,
        currency: field("金额（元）", "amount", "currency-exchange", {type: "currency", currency: "CNY"}),
        datetime: field("日期", "date", "calendar", {
          type: "datetime", format: "yyyy-MM-dd", enableTime: false, datePicker: {}
        }),
        select: true, radio: true, checkbox: true, selectboxes: true
      }
    },
    zhengwu: {
      title: "政务", weight: 10,
      components: {
        idNumber: field("身份证号", "idNumber", "person-vcard", {
          type: "textfield", properties: {kind: "id_number"}
        }),
        creditCode: field("统一社会信用代码", "creditCode", "building", {
          type: "textfield", properties: {kind: "credit_code"}
        }),
        phone: field("联系电话", "phone", "telephone", {type: "textfield", properties: {kind: "phone"}}),
        address: field("地址", "address", "house", {type: "address", provider: "", components: []}),
        region: codeSelect("行政区划", "region", "regions"),
        ethnicity: codeSelect("民族", "ethnicity", "ethnicities"),
        nationality: codeSelect("国籍", "nationality", "nationalities"),
        industry: codeSelect("所属行业", "industry", "industries"),
        file: field("附件", "attachment", "file", {type: "file", storage: "url", multiple: true})
      }
    },
    buju: {
      title: "布局", weight: 20,
      components: {
        panel: field("分组", "section", "list-alt", {type: "panel", components: []}),
        datagrid: field("表格", "table", "th", {type: "datagrid", components: []}),
        content: field("说明文字", "content", "html5", {type: "content", html: ""})
      }
    }
  };

  /* The edit dialog keeps what the server honours: label, key, description, placeholder, required and
     validation, default, choices, the simple condition, the calculated value and the custom properties
     (prefill, prefillLocked, kind, codeTable). */
  var IGNORE = {
    display: [
      "labelPosition", "labelWidth", "labelMargin", "tooltip", "prefix", "suffix", "widget", "inputMask",
      "displayMask", "allowMultipleMasks", "applyMaskOn", "customClass", "tabindex", "autocomplete",
      "hidden", "hideLabel", "showWordCount", "showCharCount", "mask", "autofocus", "spellcheck",
      "tableView", "modalEdit", "inputMode", "hideInput", "autoExpand", "editor", "isUploadEnabled",
      "wysiwyg", "fixedSize", "shortcut", "inputType", "customOptions", "useLocaleSettings",
      "displayInTimezone", "theme", "collapsible", "breadcrumb", "breadcrumbClickable",
      "buttonSettings", "allowPrevious", "tree", "collapsed", "reorder", "addAnother",
      "addAnotherPosition", "layoutFixed", "initEmpty", "enableRowGroups", "disableAddingRemovingRows",
      "conditionalAddButton", "striped", "bordered", "hover", "condensed"
    ],
    data: [
      "multiple", "persistent", "protected", "dbIndex", "encrypted", "redrawOn", "clearOnHide",
      "customDefaultValuePanel", "allowCalculateOverride", "calculateServer", "case", "truncateMultipleSpaces",
      "dataSrc", "dataType", "idPath", "template", "refreshOn", "refreshOnBlur", "clearOnRefresh",
      "searchEnabled", "selectThreshold", "readOnlyValue", "customOptions", "useExactSearch",
      "delimiter", "requireDecimal", "inputFormat", "enableManualMode", "provider", "switchToManualModeLabel",
      "disableClearIcon", "storage", "url", "options", "fileKey", "dir", "fileNameTemplate", "image",
      "uploadOnly", "webcam", "filePattern", "fileMinSize", "fileMaxSize", "privateDownload"
    ],
    validation: [
      "validateOn", "validateWhenHidden", "unique", "errorLabel", "errors", "custom-validation-js",
      "json-validation-json", "kickbox", "validate.customMessage", "validate.minWords", "validate.maxWords"
    ],
    api: ["tags"],
    conditional: ["customConditionalPanel"]
  };

  function editForm() {
    var tabs = [
      {key: "logic", ignore: true},
      {key: "layout", ignore: true}
    ];
    Object.keys(IGNORE).forEach(function (tab) {
      tabs.push({
        key: tab,
        components: IGNORE[tab].map(function (key) { return {key: key, ignore: true}; })
      });
    });
    var forms = {};
    ["textfield", "textarea", "number", "currency", "datetime", "select", "radio", "checkbox",
     "selectboxes", "address", "file", "panel", "datagrid", "content", "phoneNumber", "email"]
      .forEach(function (type) { forms[type] = tabs; });
    return forms;
  }

  function showErrors(container, box, fields, message) {
    container.querySelectorAll(".builder-field-error").forEach(function (node) { node.remove(); });
    box.textContent = "";
    var list = document.createElement("ul");
    var head = document.createElement("p");
    head.textContent = message;
    box.appendChild(head);
    Object.keys(fields || {}).forEach(function (path) {
      var text = (fields[path] || []).join("；");
      var item = document.createElement("li");
      item.textContent = path.replace(/^form_definition\.?/, "") + "：" + text;
      list.appendChild(item);
      path.split(".").forEach(function (part) {
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(part)) { return; }
        var target = container.querySelector(".formio-component-" + part);
        if (target && !target.querySelector(".builder-field-error")) {
          var note = document.createElement("p");
          note.className = "builder-field-error";
          note.setAttribute("role", "alert");
          note.textContent = text;
          target.appendChild(note);
        }
      });
    });
    box.appendChild(list);
    box.hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("form-builder");
    if (!container || typeof Formio === "undefined") { return; }
    Formio.Evaluator.noeval = true;
    var definition = data("builder-definition", {display: "form", components: []});
    var status = document.getElementById("builder-status");
    var box = document.getElementById("builder-errors");
    Formio.builder(container, definition, {
      noDefaultSubmitButton: true,
      language: "zh",
      builder: PALETTE,
      editForm: editForm(),
      noNewEdit: false
    }).then(function (builder) {
      window.yiwangFormBuilder = builder;
      container.setAttribute("data-ready", "true");
      document.getElementById("builder-save").addEventListener("click", function () {
        status.textContent = "正在保存…";
        fetch(container.getAttribute("data-save-url"), {
          method: "POST",
          credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
          body: JSON.stringify({definition: builder.schema})
        }).then(function (response) {
          return response.json().then(function (body) { return {ok: response.ok, body: body}; });
        }).then(function (answer) {
          if (answer.ok) {
            box.hidden = true;
            container.querySelectorAll(".builder-field-error").forEach(function (n) { n.remove(); });
            status.textContent = answer.body.message;
            container.setAttribute("data-saved", "true");
          } else {
            status.textContent = "";
            showErrors(container, box, answer.body.fields, answer.body.message);
          }
        }).catch(function () { status.textContent = "保存失败，请稍后重试"; });
      });
      document.body.addEventListener("htmx:configRequest", function (event) {
        if (event.detail.elt && event.detail.elt.id === "preview-form") {
          event.detail.parameters.definition = JSON.stringify(builder.schema);
        }
      });
    });
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      if (event.detail.target && event.detail.target.id === "form-preview" && event.detail.xhr.status < 500) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
  });
})();
