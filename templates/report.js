// report.html's script (inlined; the page loads nothing). Draws the diagrams with the Mermaid build
// inlined before it, and filters findings by severity, status and component. Runs under a
// Content-Security-Policy that allows only the page's own scripts, pinned by hash.
(function () {
  "use strict";
  var body = document.body;

  function drawDiagrams() {
    if (typeof mermaid === "undefined") {
      body.setAttribute("data-diagrams", "unavailable");
      return;
    }
    // strict: Mermaid sanitises labels and ignores click directives.
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict", maxTextSize: 60000, maxEdges: 2000 });
    mermaid.run({ querySelector: "pre.mermaid", suppressErrors: true }).then(
      function () {
        var failed = document.querySelectorAll("pre.mermaid:not([data-processed])").length;
        body.setAttribute("data-diagrams", failed ? "partial" : "rendered");
      },
      function () {
        body.setAttribute("data-diagrams", "failed");
      },
    );
  }

  function filter() {
    var form = document.getElementById("filters");
    if (!form) return;
    var checked = function (name) {
      var values = {};
      var boxes = form.querySelectorAll('input[name="' + name + '"]');
      for (var i = 0; i < boxes.length; i++) if (boxes[i].checked) values[boxes[i].value] = true;
      return values;
    };
    var severities = checked("severity");
    var statuses = checked("status");
    var component = form.querySelector('select[name="component"]').value;
    var items = document.querySelectorAll("[data-status]");
    var shown = 0;
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var ok =
        severities[el.getAttribute("data-severity")] === true &&
        statuses[el.getAttribute("data-status")] === true &&
        (component === "" || el.getAttribute("data-component") === component);
      el.hidden = !ok;
      if (ok) shown++;
    }
    var rows = document.querySelectorAll("#by-component tr[data-component]");
    for (var j = 0; j < rows.length; j++)
      rows[j].hidden = component !== "" && rows[j].getAttribute("data-component") !== component;
    var groups = document.querySelectorAll(".severity-group");
    for (var k = 0; k < groups.length; k++)
      groups[k].hidden =
        groups[k].querySelector(".finding:not([hidden])") === null && !groups[k].querySelector(".more");
    document.getElementById("filter-count").textContent = shown + " of " + items.length + " findings shown";
  }

  // A link to a finding or a section under the sticky filter bar lands below the bar, not under it.
  function barHeight() {
    form.parentNode.style.setProperty("--filters-height", form.offsetHeight + 8 + "px");
  }

  var form = document.getElementById("filters");
  if (form) {
    barHeight();
    window.addEventListener("resize", barHeight);
    form.addEventListener("change", filter);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
    });
    filter();
  }
  drawDiagrams();
})();
