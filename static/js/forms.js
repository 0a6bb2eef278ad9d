/* Behaviour of forms, kept out of the pages so that a strict Content-Security-Policy holds:
 * - a form (or the button pressed) with data-confirm="…" asks that question before it is sent
 *   (delete a draft, withdraw, transfer a complaint, record a move-out …);
 * - the journal-entry form (table.entry-lines) adds rows as needed and keeps running debit and
 *   credit totals and their difference in its footer. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // The button pressed may ask its own question (a form with several actions).
    var button = event.submitter;
    var question = (button && button.getAttribute("data-confirm")) || (form.getAttribute && form.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  function won(text) {
    var digits = String(text || "").replace(/[,\s]/g, "");
    return /^\d+$/.test(digits) ? parseInt(digits, 10) : 0;
  }

  function format(amount) {
    return amount.toLocaleString("ko-KR");
  }

  function setupEntryLines(table) {
    var body = table.tBodies[0];
    var output = {
      debit: table.querySelector("[data-total=debit]"),
      credit: table.querySelector("[data-total=credit]"),
      difference: table.querySelector("[data-total=difference]")
    };
    var max = parseInt(table.getAttribute("data-max-rows") || "40", 10);

    function rowIsUsed(row) {
      return Array.prototype.some.call(row.querySelectorAll("input, select"), function (field) {
        return field.value && field.value.trim() !== "";
      });
    }

    // A new row is a copy of the last one, with its fields renamed lines-N-… and emptied.
    function addRow() {
      var rows = body.rows;
      if (rows.length >= max) { return; }
      var last = rows[rows.length - 1];
      var index = rows.length;
      var copy = last.cloneNode(true);
      Array.prototype.forEach.call(copy.querySelectorAll("[name], [id], [for], [aria-label]"), function (node) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = node.getAttribute(attr);
          if (value) { node.setAttribute(attr, value.replace(/lines-\d+-/, "lines-" + index + "-")); }
        });
        var label = node.getAttribute("aria-label");
        if (label) { node.setAttribute("aria-label", label.replace(/\d+$/, String(index + 1))); }
        if (node.tagName === "INPUT") { node.value = ""; }
        if (node.tagName === "SELECT") { node.selectedIndex = 0; }
      });
      Array.prototype.forEach.call(copy.querySelectorAll(".error"), function (node) { node.remove(); });
      copy.cells[0].textContent = String(index + 1);
      body.appendChild(copy);
    }

    function update() {
      var debit = 0, credit = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var d = row.querySelector("input[name$='-debit']");
        var c = row.querySelector("input[name$='-credit']");
        debit += d ? won(d.value) : 0;
        credit += c ? won(c.value) : 0;
      });
      if (output.debit) { output.debit.textContent = format(debit); }
      if (output.credit) { output.credit.textContent = format(credit); }
      if (output.difference) {
        output.difference.textContent = format(Math.abs(debit - credit));
        output.difference.classList.toggle("unbalanced", debit !== credit);
      }
      if (rowIsUsed(body.rows[body.rows.length - 1])) { addRow(); }
    }

    table.addEventListener("input", update);
    table.addEventListener("change", update);
    var button = document.querySelector("[data-add-row]");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () { addRow(); });
    }
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table.entry-lines"), setupEntryLines);
  });
}());
