/* Import pages: show the role-label box only for "new participant"; on the review page,
 * turn a text selection into a finding (turn index + code-point offsets). */
(function () {
  "use strict";

  document.querySelectorAll("select[data-new-target]").forEach(function (select) {
    var box = document.getElementById(select.getAttribute("data-new-target"));
    function sync() { box.classList.toggle("hidden", select.value !== "new"); }
    select.addEventListener("change", sync);
    sync();
  });

  var text = document.getElementById("review-text");
  var form = document.getElementById("add-finding");
  if (!text || !form) { return; }

  function codePoints(s) { return Array.from(s).length; }

  function offsetIn(paragraph, node, offset) {
    var range = document.createRange();
    range.setStart(paragraph, 0);
    range.setEnd(node, offset);
    return codePoints(range.toString());
  }

  text.addEventListener("mouseup", function () {
    window.setTimeout(function () {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || !selection.rangeCount) { return; }
      var range = selection.getRangeAt(0);
      var startP = (range.startContainer.nodeType === 3 ? range.startContainer.parentElement : range.startContainer).closest("[data-turn]");
      var endP = (range.endContainer.nodeType === 3 ? range.endContainer.parentElement : range.endContainer).closest("[data-turn]");
      if (!startP || startP !== endP) { return; }
      var start = offsetIn(startP, range.startContainer, range.startOffset);
      var end = offsetIn(startP, range.endContainer, range.endOffset);
      if (end <= start) { return; }
      form.elements.turn.value = startP.getAttribute("data-turn");
      form.elements.start.value = start;
      form.elements.end.value = end;
      document.getElementById("add-finding-text").textContent = selection.toString();
      form.hidden = false;
      form.querySelector("select").focus();
    }, 0);
  });
  document.getElementById("add-finding-cancel").addEventListener("click", function () { form.hidden = true; });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt === form && event.detail.successful) { form.hidden = true; window.getSelection().removeAllRanges(); }
  });
})();
