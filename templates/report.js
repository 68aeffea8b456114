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
    drawWhenOpened();
    mermaid.run({ querySelector: "pre.mermaid", suppressErrors: true }).then(
      function () {
        zoomable(document);
        // Views opened while the page's own diagrams were being drawn are drawn now.
        mainDrawn = true;
        var open = document.querySelectorAll("details.view[open]");
        for (var i = 0; i < open.length; i++) drawView({ currentTarget: open[i] });
        var failed = document.querySelectorAll("pre.mermaid:not([data-processed])").length;
        body.setAttribute("data-diagrams", failed ? "partial" : "rendered");
      },
      function () {
        body.setAttribute("data-diagrams", "failed");
      },
    );
  }

  // A diagram wider than the page is drawn scaled down to fit it, which leaves a large one's labels
  // a few pixels high. A click (or Enter) on it shows it at its own size, scrolling sideways inside
  // its frame, and another fits it again. Print always fits it to the page (report.css), and never
  // draws it larger than its own size (`--own-width`, set here for every diagram).
  function zoomable(root) {
    var figures = root.querySelectorAll("figure.diagram:not(.zoomable)");
    for (var i = 0; i < figures.length; i++) {
      var figure = figures[i];
      var svg = figure.querySelector("pre.mermaid svg");
      var box = svg && svg.viewBox && svg.viewBox.baseVal;
      if (!box || !box.width) continue;
      svg.style.setProperty("--own-width", box.width + "px");
      if (box.width <= svg.getBoundingClientRect().width + 1) continue;
      enlarge(figure, svg, box.width);
    }
  }

  // The zone and agent views (dozens on a large model) are drawn the first time one is opened, so
  // the page is not slowed by diagrams nobody looks at.
  function drawWhenOpened() {
    var views = document.querySelectorAll("details.view");
    for (var i = 0; i < views.length; i++) views[i].addEventListener("toggle", drawView);
  }

  var mainDrawn = false;

  function drawView(e) {
    var view = e.currentTarget;
    var pre = view.querySelector("pre.mermaid-later");
    if (!view.open || !pre || !mainDrawn) return;
    pre.className = "mermaid";
    mermaid.run({ nodes: [pre], suppressErrors: true }).then(function () {
      zoomable(view);
    });
  }

  function enlarge(figure, svg, width) {
    var hint = document.createElement("span");
    hint.className = "zoom-hint";
    var caption = figure.querySelector("figcaption");
    if (caption) caption.appendChild(hint);
    var set = function (zoomed) {
      figure.classList.toggle("zoomed", zoomed);
      svg.style.maxWidth = zoomed ? "none" : width + "px";
      svg.style.width = zoomed ? width + "px" : "";
      hint.textContent = zoomed ? " · click to fit the page" : " · click to show at full size";
      figure.setAttribute("aria-expanded", zoomed ? "true" : "false");
    };
    figure.classList.add("zoomable");
    figure.tabIndex = 0;
    figure.setAttribute("role", "button");
    set(false);
    figure.addEventListener("click", function () {
      set(!figure.classList.contains("zoomed"));
    });
    figure.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      e.preventDefault();
      set(!figure.classList.contains("zoomed"));
    });
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
    for (var k = 0; k < groups.length; k++) {
      var group = groups[k];
      var visible = group.querySelectorAll(".finding:not([hidden])").length;
      group.hidden = visible === 0 && !group.querySelector(".more");
      // The heading counts every open finding of its severity; while a filter hides some, it also
      // says how many of them are on the page.
      var note = group.querySelector(".group-shown");
      if (note) note.textContent = shown < items.length ? " (" + visible + " shown)" : "";
    }
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
  // Step tables print open in browsers without ::details-content too (report.css).
  var opened = [];
  window.addEventListener("beforeprint", function () {
    // Not the zone and agent views: opening one draws it, and print lists them by name only.
    opened = Array.prototype.filter.call(document.querySelectorAll("details:not(.view)"), function (d) {
      return !d.open;
    });
    for (var i = 0; i < opened.length; i++) opened[i].open = true;
  });
  window.addEventListener("afterprint", function () {
    for (var i = 0; i < opened.length; i++) opened[i].open = false;
    opened = [];
  });
  drawDiagrams();
})();
