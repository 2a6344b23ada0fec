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

  /* The page's language: #builder-strings maps each Chinese text below to its translation (gettext). */
  var STRINGS = data("builder-strings", {});

  function t(text) {
    return STRINGS[text] || text;
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
      title: t("基本"), weight: 0, default: true,
      components: {
        textfield: true, textarea: true, number: true,
        currency: field(t("金额（元）"), "amount", "currency-exchange", {type: "currency", currency: "CNY"}),
        datetime: field(t("日期"), "date", "calendar", {
          type: "datetime", format: "yyyy-MM-dd", enableTime: false, datePicker: {}
        }),
        select: true, radio: true, checkbox: true, selectboxes: true
      }
    },
    zhengwu: {
      title: t("政务"), weight: 10,
      components: {
        idNumber: field(t("身份证号"), "idNumber", "person-vcard", {
          type: "textfield", properties: {kind: "id_number"}
        }),
        creditCode: field(t("统一社会信用代码"), "creditCode", "building", {
          type: "textfield", properties: {kind: "credit_code"}
        }),
        phone: field(t("联系电话"), "phone", "telephone", {type: "textfield", properties: {kind: "phone"}}),
        address: field(t("地址"), "address", "house", {type: "address", provider: "", components: []}),
        region: codeSelect(t("行政区划"), "region", "regions"),
        ethnicity: codeSelect(t("民族"), "ethnicity", "ethnicities"),
        nationality: codeSelect(t("国籍"), "nationality", "nationalities"),
        industry: codeSelect(t("所属行业"), "industry", "industries"),
        file: field(t("附件"), "attachment", "file", {type: "file", storage: "url", multiple: true})
      }
    },
    buju: {
      title: t("布局"), weight: 20,
      components: {
        panel: field(t("分组"), "section", "list-alt", {type: "panel", components: []}),
        datagrid: field(t("表格"), "table", "th", {type: "datagrid", components: []}),
        content: field(t("说明文字"), "content", "html5", {type: "content", html: ""})
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

  /* 条件显示: a plain select "当…时显示/隐藏", a select of the form's other field keys ("when", refreshed
     before every dialog from the current form) and the value ("eq") — native <select>s (html5 widget),
     no choices.js.  Written as Form.io's simple conditional {show, when, eq}. */
  var CONDITION = [
    {key: "simple-conditional", ignore: true},
    {key: "customConditionalPanel", ignore: true},
    {
      type: "select", input: true, widget: "html5", key: "conditional.show", weight: 0,
      label: t("当…时显示/隐藏"), dataSrc: "values",
      data: {values: [{label: t("显示"), value: "true"}, {label: t("隐藏"), value: "false"}]}
    },
    {
      type: "select", input: true, widget: "html5", key: "conditional.when", weight: 10,
      label: t("当字段"), description: t("选择本表单中的另一个字段；不选则始终显示"), dataSrc: "values",
      placeholder: t("（无条件，始终显示）"),
      data: {values: []}
    },
    {type: "textfield", input: true, key: "conditional.eq", weight: 20, label: t("的值等于")}
  ];

  /* 预填来源: the bindings the server accepts (the page's #builder-prefill-sources) and 不可修改. */
  function prefillFields(sources) {
    return [
      {
        type: "select", input: true, widget: "html5", key: "properties.prefill", weight: 900,
        label: t("预填来源"), description: t("申请人打开申请表时从该来源自动填写"), dataSrc: "values",
        placeholder: t("（不预填）"),
        data: {values: sources.map(function (s) {
          return {label: s.group + "｜" + s.label, value: s.value};
        })}
      },
      {
        type: "checkbox", input: true, key: "properties.prefillLocked", weight: 910,
        label: t("不可修改（依法以预填值为准）")
      }
    ];
  }

  var KIND_FIELD = {
    type: "select", input: true, widget: "html5", key: "properties.kind", weight: 920, label: t("字段类别"),
    dataSrc: "values", placeholder: t("普通文本"),
    data: {values: [
      {label: t("身份证号"), value: "id_number"},
      {label: t("统一社会信用代码"), value: "credit_code"}, {label: t("电话"), value: "phone"}
    ]}
  };
  var CODE_TABLE_FIELD = {
    type: "select", input: true, widget: "html5", key: "properties.codeTable", weight: 920,
    label: t("代码表（选填，替代上面的选项）"), dataSrc: "values", placeholder: t("（不用代码表）"),
    data: {values: [
      {label: t("行政区划 GB/T 2260"), value: "regions"},
      {label: t("民族 GB/T 3304"), value: "ethnicities"}, {label: t("国籍 GB/T 2659"), value: "nationalities"},
      {label: t("行业 GB/T 4754"), value: "industries"}
    ]}
  };
  var CHOICE_TYPES = ["select", "radio", "selectboxes"];
  var LEAF_TYPES = ["textfield", "textarea", "number", "currency", "datetime", "select", "radio", "checkbox",
    "selectboxes", "address", "phoneNumber", "email"];

  function editForm(sources) {
    var forms = {};
    ["textfield", "textarea", "number", "currency", "datetime", "select", "radio", "checkbox",
     "selectboxes", "address", "file", "panel", "datagrid", "content", "phoneNumber", "email"]
      .forEach(function (type) {
        var tabs = [
          {key: "logic", ignore: true},
          {key: "layout", ignore: true}
        ];
        Object.keys(IGNORE).forEach(function (tab) {
          var components = IGNORE[tab].map(function (key) { return {key: key, ignore: true}; });
          if (tab === "conditional") { components = components.concat(CONDITION); }
          if (tab === "api") { components.push({key: "properties", ignore: true}); }
          if (tab === "data" && LEAF_TYPES.indexOf(type) >= 0) {
            components = components.concat(prefillFields(sources));
          }
          if (tab === "data" && type === "textfield") { components.push(KIND_FIELD); }
          if (tab === "data" && CHOICE_TYPES.indexOf(type) >= 0) { components.push(CODE_TABLE_FIELD); }
          tabs.push({key: tab, components: components});
        });
        forms[type] = tabs;
      });
    return forms;
  }

  /* The keys a condition may refer to: every input field of the current form but the edited one. */
  function fieldChoices(components, exclude, out) {
    (components || []).forEach(function (c) {
      if (c.input && c.key && c.key !== exclude && c.type !== "datagrid" && c.type !== "file") {
        out.push({label: (c.label || c.key) + "（" + c.key + "）", value: c.key});
      }
      if (c.type !== "datagrid") { fieldChoices(c.components, exclude, out); }
    });
    return out;
  }

  function refreshWhen(editForms, form, edited) {
    var values = fieldChoices(form.components, edited && edited.key, []);
    Object.keys(editForms || {}).forEach(function (type) {
      (editForms[type] || []).forEach(function (tab) {
        (tab.components || []).forEach(function (c) {
          if (c.key === "conditional.when") { c.data = {values: values}; }
        });
      });
    });
  }

  /* Form.io's checkbox holds a boolean; the contract's custom properties are strings. */
  function fromServer(definition) {
    var copy = JSON.parse(JSON.stringify(definition));
    (function walk(list) {
      (list || []).forEach(function (c) {
        var props = c.properties;
        if (props && "prefillLocked" in props) { props.prefillLocked = props.prefillLocked === "true"; }
        walk(c.components);
      });
    })(copy.components);
    return copy;
  }

  function toServer(schema) {
    var copy = JSON.parse(JSON.stringify(schema));
    (function walk(list) {
      (list || []).forEach(function (c) {
        var props = c.properties;
        if (props) {
          Object.keys(props).forEach(function (k) { if (props[k] === "" || props[k] === null) { delete props[k]; } });
          if ("prefillLocked" in props) {
            if (props.prefillLocked === true || props.prefillLocked === "true") { props.prefillLocked = "true"; }
            else { delete props.prefillLocked; }
          }
        }
        var cond = c.conditional;
        if (cond && cond.when) {  /* the dialog's simple condition wins */
          delete cond.conditions;
          cond.show = cond.show !== false && cond.show !== "false";
        }
        if (cond && !cond.when && !(cond.conditions && cond.conditions.length)) { delete c.conditional; }
        walk(c.components);
      });
    })(copy.components);
    return copy;
  }
  window.yiwangFormSchema = toServer;

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
    var definition = fromServer(data("builder-definition", {display: "form", components: []}));
    var sources = data("builder-prefill-sources", []);
    var status = document.getElementById("builder-status");
    var box = document.getElementById("builder-errors");
    Formio.builder(container, definition, {
      noDefaultSubmitButton: true,
      language: "zh",
      builder: PALETTE,
      editForm: editForm(sources),
      noNewEdit: false,
      hooks: {
        editComponentParentInstance: function (editFormOptions) {
          refreshWhen(this.options.editForm, this.form || definition, editFormOptions && editFormOptions.editComponent);
        }
      }
    }).then(function (builder) {
      window.yiwangFormBuilder = builder;
      container.setAttribute("data-ready", "true");
      document.getElementById("builder-save").addEventListener("click", function () {
        status.textContent = t("正在保存…");
        fetch(container.getAttribute("data-save-url"), {
          method: "POST",
          credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
          body: JSON.stringify({definition: toServer(builder.schema)})
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
        }).catch(function () { status.textContent = t("保存失败，请稍后重试"); });
      });
      document.body.addEventListener("htmx:configRequest", function (event) {
        if (event.detail.elt && event.detail.elt.id === "preview-form") {
          event.detail.parameters.definition = JSON.stringify(toServer(builder.schema));
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
