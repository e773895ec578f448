// Progressive enhancement for ranking questions: drag items into order and the rank selects
// follow. Without JavaScript the numbered selects work on their own.
"use strict";
(function () {
  function renumber(list) {
    var items = list.querySelectorAll(".rank-item");
    items.forEach(function (item, index) {
      var select = item.querySelector("select");
      var value = String(index + 1);
      // Top-k rankings offer fewer ranks than items: the rest stay unranked.
      var offered = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
      select.value = offered ? value : "";
    });
  }
  function rankOf(item) {
    var value = parseInt(item.querySelector("select").value, 10);
    return isNaN(value) ? Infinity : value;
  }
  function enhance(list) {
    var dragged = null;
    // Show the saved order first, so dragging starts from the ranks already chosen.
    Array.prototype.slice.call(list.querySelectorAll(".rank-item"))
      .sort(function (a, b) { return rankOf(a) - rankOf(b); })
      .forEach(function (item) { list.appendChild(item); });
    list.querySelectorAll(".rank-item").forEach(function (item) {
      item.setAttribute("draggable", "true");
      item.addEventListener("dragstart", function () { dragged = item; item.classList.add("dragging"); });
      item.addEventListener("dragend", function () {
        item.classList.remove("dragging");
        dragged = null;
        renumber(list);
      });
      item.addEventListener("dragover", function (event) {
        event.preventDefault();
        if (!dragged || dragged === item) { return; }
        var box = item.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? item.nextSibling : item);
      });
      item.addEventListener("drop", function (event) { event.preventDefault(); });
    });
  }
  document.querySelectorAll("ol.ranking").forEach(enhance);
})();
