/* After a refused submit, put the keyboard on the first field with an error. */
(function () {
  "use strict";
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) { invalid.focus(); }
})();

/* Operator console: while the call is typed, show the router's suggestion and open appeals of
   the same enterprise (POST with the form's CSRF token, so the text stays out of URLs and logs;
   JSON built into the DOM as text, never as HTML). */
(function () {
  "use strict";
  var form = document.getElementById("call-form");
  if (!form) { return; }
  var url = form.getAttribute("data-suggest-url");
  var router = document.getElementById("suggest-router");
  var open = document.getElementById("suggest-open");
  var labels = JSON.parse(form.getAttribute("data-urgency-labels") || "{}");
  var timer = null;
  var last = "";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  function value(name) { return (form.elements[name] && form.elements[name].value || "").trim(); }

  var danger = document.getElementById("suggest-danger");

  function showRouter(s) {
    router.textContent = "";
    if (danger) { danger.hidden = !(s && s.life_danger); }
    if (!s) { router.appendChild(el("p", "暂无建议（路由服务未启用或内容太短）。", "muted")); return; }
    var p = el("p");
    p.appendChild(el("strong", s.manual ? "建议人工分拨" : "建议主办：" + (s.lead || "—")));
    if (s.urgency) { p.appendChild(el("span", " · 建议紧急程度：" + (labels[s.urgency] || s.urgency))); }
    router.appendChild(p);
    var list = el("ol", null, "candidates");
    (s.candidates || []).slice(0, 3).forEach(function (c) {
      var li = el("li", c.unit);
      li.appendChild(el("span", Math.round((c.p || 0) * 100) + "%", "prob"));
      if (c.matter) { li.appendChild(el("span", "依据：" + c.matter, "matter")); }
      list.appendChild(li);
    });
    router.appendChild(list);
    if (s.duplicates && s.duplicates.length) {
      router.appendChild(el("p", "疑似重复件：" + s.duplicates.map(function (d) { return d.number; }).join("、"), "warn"));
    }
    if (s.top_words && s.top_words.length) {
      router.appendChild(el("p", "关键词：" + s.top_words.join("、"), "muted"));
    }
    var urgency = form.elements["urgency"];
    if (s.urgency && urgency && !urgency.getAttribute("data-touched")) { urgency.value = s.urgency; }
  }

  function showOpen(items) {
    open.textContent = "";
    if (!items.length) { open.appendChild(el("p", "没有未办结的诉求。", "muted")); return; }
    var list = el("ul", null, "plain");
    items.forEach(function (item) {
      var li = el("li");
      var a = el("a", item.number); a.href = item.url;
      li.appendChild(a);
      li.appendChild(el("span", " " + item.status_label, "tag"));
      li.appendChild(el("div", item.text, "muted"));
      list.appendChild(li);
    });
    open.appendChild(list);
  }

  function refresh() {
    var params = new URLSearchParams({ enterprise: value("enterprise.name"), uscc: value("enterprise.uscc"), text: value("text") });
    var query = params.toString();
    if (query === last) { return; }
    last = query;
    fetch(url, { method: "POST", body: params, credentials: "same-origin",
                 headers: { "Accept": "application/json", "X-CSRFToken": value("csrf_token") } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        showRouter(data.suggestion);
        showOpen(data.open || []);
      })
      .catch(function () { /* the panel is a hint; the form works without it */ });
  }

  form.addEventListener("input", function (event) {
    if (event.target.name === "urgency") { event.target.setAttribute("data-touched", "1"); }
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "urgency") { event.target.setAttribute("data-touched", "1"); }
  });
})();

/* Dispatcher's unit pickers: filter the 协办 checkboxes as the name is typed; warn when the lead
   unit typed has no handler account (its datalist option is marked data-unstaffed). */
(function () {
  "use strict";
  document.querySelectorAll("input.unit-filter").forEach(function (filter) {
    var box = document.getElementById(filter.getAttribute("data-filter"));
    filter.addEventListener("input", function () {
      var term = filter.value.trim();
      box.querySelectorAll("label").forEach(function (label) {
        label.hidden = term !== "" && label.textContent.indexOf(term) === -1;
      });
    });
  });
  var names = document.getElementById("unit-names");
  if (!names) { return; }
  document.querySelectorAll("input[data-unstaffed-warning]").forEach(function (input) {
    var warning = document.getElementById(input.getAttribute("data-unstaffed-warning"));
    input.addEventListener("input", function () {
      var value = input.value.trim();
      warning.hidden = !Array.prototype.some.call(names.options, function (option) {
        return option.value === value && option.hasAttribute("data-unstaffed");
      });
    });
  });
})();
