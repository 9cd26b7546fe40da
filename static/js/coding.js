/* The coding workspace: turn a text selection into offsets, offer the codebook in a popup,
 * apply codes through htmx, lay out the margin bars of overlapping codings.
 *
 * Offsets are Unicode code points into the published transcript text. Every text segment
 * rendered by coding/rendering.py carries its global offset in data-o, so a DOM point
 * (text node + UTF-16 offset) becomes data-o + the code points before it in the segment.
 */
(function () {
  "use strict";

  var workspace = document.getElementById("workspace");
  var surface = document.getElementById("transcript");
  if (!workspace || !surface) { return; }

  var codable = workspace.getAttribute("data-codable") === "1";
  var popup = document.getElementById("code-popup");
  var filterInput = document.getElementById("code-filter");
  var optionsList = document.getElementById("code-options");
  var strings = document.getElementById("popup-strings");
  var data = { areas: [], codes: [], recent: [] };
  var dataNode = document.getElementById("codebook-data");
  if (dataNode) { data = JSON.parse(dataNode.textContent); }

  var pending = null;        // {start, end, text, turn} of the selection being coded
  var ticked = new Set();    // code ids ticked for a multi-code application
  var activeIndex = 0;
  var visibleOptions = [];

  function str(name) { return strings ? strings.getAttribute("data-" + name) : name; }
  function codePoints(s) { return Array.from(s).length; }

  // ---- offsets -------------------------------------------------------------------------
  function pointToOffset(node, offset, isEnd) {
    var el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    var segment = el && el.closest ? el.closest("[data-o]:not(.turn-text)") : null;
    if (segment && surface.contains(segment)) {
      var base = parseInt(segment.getAttribute("data-o"), 10);
      if (node.nodeType === Node.TEXT_NODE) {
        return base + codePoints(node.textContent.slice(0, offset));
      }
      // An element boundary inside a segment: count the text of the children before it.
      var text = "";
      for (var i = 0; i < offset && i < node.childNodes.length; i++) { text += node.childNodes[i].textContent; }
      return base + codePoints(text);
    }
    var container = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (container && container.classList && container.classList.contains("turn-text")) {
      // A boundary between segments: take the start of the segment at that child index.
      var child = container.childNodes[offset];
      if (child && child.getAttribute) { return parseInt(child.getAttribute("data-o"), 10); }
      var turnEl = container.closest(".turn");
      return parseInt(turnEl.getAttribute("data-end"), 10);
    }
    var turn = el && el.closest ? el.closest(".turn") : null;
    if (turn) {
      // In the speaker column or margin: snap to the start (or end) of that turn's text.
      return parseInt(turn.getAttribute(isEnd ? "data-start" : "data-start"), 10);
    }
    return null;
  }

  function selectionSpan() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return null; }
    var range = selection.getRangeAt(0);
    if (!surface.contains(range.commonAncestorContainer)) { return null; }
    var start = pointToOffset(range.startContainer, range.startOffset, false);
    var end = pointToOffset(range.endContainer, range.endOffset, true);
    if (start === null || end === null || end <= start) { return null; }
    var startTurn = (range.startContainer.nodeType === Node.TEXT_NODE ? range.startContainer.parentElement : range.startContainer).closest(".turn");
    return { start: start, end: end, text: selection.toString(), range: range, turn: startTurn };
  }

  function spanCrossesUncodable(span) {
    var turns = surface.querySelectorAll(".turn");
    for (var i = 0; i < turns.length; i++) {
      var t = turns[i];
      var s = parseInt(t.getAttribute("data-start"), 10);
      var e = parseInt(t.getAttribute("data-end"), 10);
      if (s < span.end && e > span.start && t.getAttribute("data-codable") !== "1") { return true; }
    }
    return false;
  }

  // ---- the popup -----------------------------------------------------------------------
  function areaName(id) {
    for (var i = 0; i < data.areas.length; i++) { if (data.areas[i].id === id) { return data.areas[i].name; } }
    return "";
  }
  function areaOrder(id) {
    for (var i = 0; i < data.areas.length; i++) { if (data.areas[i].id === id) { return i; } }
    return 99;
  }
  function fold(s) { return s.toLocaleLowerCase("sv").normalize("NFD").replace(/[\u0300-\u036f]/g, ""); }

  function buildOptions() {
    var query = fold(filterInput.value.trim());
    var byId = {};
    data.codes.forEach(function (c) { byId[c.id] = c; });
    var matches = function (c) { return !query || fold(c.name).indexOf(query) !== -1 || fold(areaName(c.area_id)).indexOf(query) !== -1; };
    var recent = data.recent.map(function (id) { return byId[id]; }).filter(function (c) { return c && matches(c); });
    var recentIds = new Set(recent.map(function (c) { return c.id; }));
    var rest = data.codes.filter(function (c) { return matches(c) && !recentIds.has(c.id); })
      .sort(function (a, b) { return areaOrder(a.area_id) - areaOrder(b.area_id) || a.name.localeCompare(b.name, "sv"); });
    optionsList.textContent = "";
    visibleOptions = [];
    function heading(text) {
      var li = document.createElement("li");
      li.className = "option-group";
      li.setAttribute("role", "presentation");
      li.textContent = text;
      optionsList.appendChild(li);
    }
    function option(code) {
      var li = document.createElement("li");
      li.id = "opt-" + code.id;
      li.className = "option";
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", ticked.has(code.id) ? "true" : "false");
      li.setAttribute("data-id", String(code.id));
      var box = document.createElement("input");
      box.type = "checkbox";
      box.tabIndex = -1;
      box.checked = ticked.has(code.id);
      box.setAttribute("aria-hidden", "true");
      var swatch = document.createElement("span");
      swatch.className = "swatch k" + code.id;
      var name = document.createElement("span");
      name.className = "option-name";
      name.textContent = code.name;
      var area = document.createElement("span");
      area.className = "option-area";
      area.textContent = areaName(code.area_id);
      li.append(box, swatch, name, area);
      optionsList.appendChild(li);
      visibleOptions.push({ li: li, id: code.id });
    }
    if (recent.length) { heading(str("recent")); recent.forEach(option); }
    if (rest.length) { heading(str("all")); rest.forEach(option); }
    var typed = filterInput.value.trim();
    var exact = data.codes.some(function (c) { return fold(c.name) === fold(typed); });
    var newBox = document.getElementById("popup-new");
    if (typed && !exact) {
      var li = document.createElement("li");
      li.id = "opt-new";
      li.className = "option option-create";
      li.setAttribute("role", "option");
      li.textContent = str("create") + " \u201d" + typed + "\u201d";
      optionsList.appendChild(li);
      visibleOptions.push({ li: li, id: "new" });
      newBox.hidden = false;
    } else {
      newBox.hidden = true;
    }
    if (!visibleOptions.length) {
      var none = document.createElement("li");
      none.className = "option-empty";
      none.textContent = str("none");
      optionsList.appendChild(none);
    }
    setActive(Math.min(activeIndex, Math.max(visibleOptions.length - 1, 0)));
  }

  function setActive(index) {
    activeIndex = index;
    visibleOptions.forEach(function (o, i) { o.li.classList.toggle("active", i === index); });
    var active = visibleOptions[index];
    if (active) {
      filterInput.setAttribute("aria-activedescendant", active.li.id);
      active.li.scrollIntoView({ block: "nearest" });
    } else {
      filterInput.removeAttribute("aria-activedescendant");
    }
  }

  function toggleTick(id) {
    if (id === "new") { return; }
    if (ticked.has(id)) { ticked.delete(id); } else { ticked.add(id); }
    buildOptions();
  }

  function openPopup(span) {
    if (!codable || !popup) { return; }
    if (spanCrossesUncodable(span)) {
      window.nvosFlash(workspace.getAttribute("data-uncodable") || "Markeringen omfattar text som inte kan kodas.", "error");
      return;
    }
    pending = span;
    ticked = new Set();
    activeIndex = 0;
    filterInput.value = "";
    document.getElementById("popup-error").hidden = true;
    var excerpt = span.text.replace(/\s+/g, " ").trim();
    document.getElementById("popup-excerpt").textContent = excerpt.length > 140 ? excerpt.slice(0, 140) + "…" : excerpt;
    buildOptions();
    popup.hidden = false;
    var rect = span.range ? span.range.getBoundingClientRect() : span.turn.getBoundingClientRect();
    var top = window.scrollY + rect.bottom + 8;
    var left = Math.max(8, Math.min(window.scrollX + rect.left, window.scrollX + document.documentElement.clientWidth - popup.offsetWidth - 8));
    popup.style.top = top + "px";
    popup.style.left = left + "px";
    filterInput.focus({ preventScroll: true });
  }

  function closePopup(restoreFocus) {
    if (!popup || popup.hidden) { return; }
    popup.hidden = true;
    var turn = pending && pending.turn;
    pending = null;
    if (restoreFocus && turn) { focusTurn(turn); }
  }

  function showPopupError(message) {
    var box = document.getElementById("popup-error");
    box.textContent = message;
    box.hidden = false;
  }

  function createCode(name, areaId) {
    var body = new FormData();
    body.append("name", name);
    body.append("area", areaId);
    return fetch(workspace.getAttribute("data-code-create-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" }
    }).then(function (response) {
      return response.json().then(function (json) {
        if (!response.ok) { throw new Error(json.error || "error"); }
        data.codes.push({ id: json.id, name: json.name, area_id: json.area_id, parent_id: json.parent_id, colour: json.colour });
        refreshColours();
        return json.id;
      });
    });
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function refreshColours() {
    var link = document.getElementById("code-colours");
    if (link) { link.href = workspace.getAttribute("data-colours-url") + "?v=" + Date.now(); }
  }

  function applyPending() {
    if (!pending) { return; }
    var active = visibleOptions[activeIndex];
    var ids = Array.from(ticked);
    var span = pending;
    var ready;
    if (active && active.id === "new") {
      var name = filterInput.value.trim();
      ready = createCode(name, document.getElementById("new-code-area").value).then(function (id) { ids.push(id); return ids; });
    } else {
      // Ticked codes are applied together; with nothing ticked, the active one is.
      if (!ids.length && active) { ids.push(active.id); }
      ready = Promise.resolve(ids);
    }
    ready.then(function (codeIds) {
      if (!codeIds.length) { return; }
      data.recent = codeIds.concat(data.recent.filter(function (id) { return codeIds.indexOf(id) === -1; })).slice(0, 8);
      closePopup(true);
      window.getSelection().removeAllRanges();
      return htmx.ajax("POST", workspace.getAttribute("data-create-url"), {
        source: surface, target: "#passage-panel", swap: "innerHTML",
        values: { start: span.start, end: span.end, text: span.text, codes: codeIds }
      });
    }).catch(function (error) { showPopupError(error.message); });
  }

  if (popup) {
    filterInput.addEventListener("input", function () { activeIndex = 0; buildOptions(); });
    filterInput.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); setActive(Math.min(activeIndex + 1, visibleOptions.length - 1)); }
      else if (event.key === "ArrowUp") { event.preventDefault(); setActive(Math.max(activeIndex - 1, 0)); }
      else if (event.key === "Enter" && (event.shiftKey || event.ctrlKey)) {
        event.preventDefault();
        var active = visibleOptions[activeIndex];
        if (active) { toggleTick(active.id); }
      }
      else if (event.key === "Enter") { event.preventDefault(); applyPending(); }
      else if (event.key === "Escape") { event.preventDefault(); closePopup(true); }
    });
    optionsList.addEventListener("mousedown", function (event) { event.preventDefault(); });
    optionsList.addEventListener("click", function (event) {
      var li = event.target.closest(".option");
      if (!li) { return; }
      var index = visibleOptions.findIndex(function (o) { return o.li === li; });
      if (index < 0) { return; }
      if (event.target.type === "checkbox") { toggleTick(visibleOptions[index].id); filterInput.focus(); return; }
      setActive(index);
      if (visibleOptions[index].id !== "new") { ticked.add(visibleOptions[index].id); }
      applyPending();
    });
    document.getElementById("popup-apply").addEventListener("click", applyPending);
    document.getElementById("popup-cancel").addEventListener("click", function () { closePopup(true); });
    document.addEventListener("mousedown", function (event) {
      if (!popup.hidden && !popup.contains(event.target)) { closePopup(false); }
    });
  }

  // ---- selecting and clicking in the text ----------------------------------------------
  function showPassage(params) {
    htmx.ajax("GET", workspace.getAttribute("data-passage-url") + "?" + params, { source: surface, target: "#passage-panel", swap: "innerHTML" });
  }

  surface.addEventListener("mouseup", function (event) {
    if (popup && !popup.hidden && popup.contains(event.target)) { return; }
    window.setTimeout(function () {
      var span = selectionSpan();
      if (span) { openPopup(span); return; }
      var mark = event.target.closest && event.target.closest("mark.coded");
      if (mark) { showPassage("c=" + encodeURIComponent(mark.getAttribute("data-c"))); }
    }, 0);
  });

  // ---- keyboard: roving focus over turns -------------------------------------------------
  function turns() { return Array.prototype.slice.call(surface.querySelectorAll(".turn")); }
  function focusTurn(turn) {
    turns().forEach(function (t) { t.tabIndex = -1; });
    turn.tabIndex = 0;
    turn.focus();
  }
  var first = surface.querySelector(".turn");
  if (first) { first.tabIndex = 0; }

  surface.addEventListener("keydown", function (event) {
    var turn = event.target.closest && event.target.closest(".turn");
    if (!turn || event.target !== turn) { return; }
    var all = turns();
    var index = all.indexOf(turn);
    if (event.key === "ArrowDown") { event.preventDefault(); if (all[index + 1]) { focusTurn(all[index + 1]); } }
    else if (event.key === "ArrowUp") { event.preventDefault(); if (all[index - 1]) { focusTurn(all[index - 1]); } }
    else if (event.key === "Home") { event.preventDefault(); focusTurn(all[0]); }
    else if (event.key === "End") { event.preventDefault(); focusTurn(all[all.length - 1]); }
    else if (event.key === "Enter" && codable) {
      event.preventDefault();
      var text = turn.querySelector(".turn-text");
      var range = document.createRange();
      range.selectNodeContents(text);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      openPopup({ start: parseInt(turn.getAttribute("data-start"), 10), end: parseInt(turn.getAttribute("data-end"), 10),
                  text: text.textContent, range: range, turn: turn });
    }
    else if ((event.key === "k" || event.key === "K") && codable) {
      var span = selectionSpan();
      if (span) { event.preventDefault(); openPopup(span); }
    }
    else if (event.key === "i" || event.key === "I") {
      event.preventDefault();
      var ids = [];
      turn.querySelectorAll(".bar").forEach(function (bar) { ids.push(bar.getAttribute("data-c")); });
      showPassage("c=" + encodeURIComponent(ids.join(" ") || "0"));
    }
  });
  surface.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("turn")) {
      turns().forEach(function (t) { if (t !== event.target) { t.tabIndex = -1; } });
      event.target.tabIndex = 0;
    }
  });

  // ---- margin bars: one per coding, beside the lines it covers, overlaps in lanes --------
  function layoutBars(root) {
    var sections = root.classList && root.classList.contains("turn") ? [root] : Array.prototype.slice.call(root.querySelectorAll(".turn"));
    var work = [];
    sections.forEach(function (turn) {
      var barsBox = turn.querySelector(".turn-bars");
      var bars = barsBox ? barsBox.querySelectorAll(".bar") : [];
      if (!bars.length) { return; }
      var boxTop = barsBox.getBoundingClientRect().top;
      var marks = Array.prototype.slice.call(turn.querySelectorAll("mark.coded"));
      var rects = marks.map(function (m) { return { ids: " " + m.getAttribute("data-c") + " ", rect: m.getBoundingClientRect() }; });
      Array.prototype.forEach.call(bars, function (bar) {
        var key = " " + bar.getAttribute("data-c") + " ";
        var top = Infinity, bottom = -Infinity;
        rects.forEach(function (r) {
          if (r.ids.indexOf(key) !== -1) { top = Math.min(top, r.rect.top); bottom = Math.max(bottom, r.rect.bottom); }
        });
        if (top !== Infinity) { work.push({ bar: bar, top: top - boxTop, height: Math.max(bottom - top, 4) }); }
      });
    });
    // Lanes per turn: a bar takes the first lane whose last bar ended above it.
    var lanesByBox = new Map();
    work.sort(function (a, b) { return a.top - b.top; }).forEach(function (item) {
      var box = item.bar.parentElement;
      var lanes = lanesByBox.get(box) || [];
      var lane = lanes.findIndex(function (bottom) { return bottom <= item.top + 1; });
      if (lane === -1) { lane = lanes.length; lanes.push(0); }
      lanes[lane] = item.top + item.height;
      lanesByBox.set(box, lanes);
      item.lane = lane;
    });
    work.forEach(function (item) {
      item.bar.style.top = item.top + "px";
      item.bar.style.height = item.height + "px";
      item.bar.style.left = (item.lane * 7) + "px";
      item.bar.classList.add("placed");
    });
  }

  function markPainted() {
    var marker = document.getElementById("painted");
    if (marker && !marker.hasAttribute("data-painted")) {
      marker.setAttribute("data-painted", String(Math.round(performance.now())));
    }
  }

  layoutBars(surface);
  window.requestAnimationFrame(markPainted);

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () { layoutBars(surface); }, 150);
  });

  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("turn")) { layoutBars(target); }
  });
  document.body.addEventListener("htmx:afterSettle", function () { layoutBars(surface); });

  // Polling for other coders' changes pauses while the popup is open, so a turn being
  // coded is not replaced under the user's selection.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt && event.detail.elt.id === "live" && popup && !popup.hidden) { event.preventDefault(); }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id !== "live" && event.detail.successful && event.detail.pathInfo &&
        event.detail.pathInfo.requestPath === workspace.getAttribute("data-create-url")) {
      window.nvosFlash(str("saved"), "success");
    }
  });
})();
