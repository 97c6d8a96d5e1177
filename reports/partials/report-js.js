/* Optional table sorting and roster and findings filtering. The report is complete without it: the
   filter boxes stay hidden and the tables keep the model's order. The page's CSP admits this script by
   its sha256 only; it reads and reorders what is on the page and loads nothing. */
(function () {
  'use strict';
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  function text(row, i) {
    var cell = row.cells[i];
    return cell ? cell.textContent.trim() : '';
  }
  document.querySelectorAll('table[data-sortable]').forEach(function (table) {
    var head = table.tHead;
    if (!head || !head.rows[0] || !table.tBodies[0]) return;
    var cells = Array.prototype.slice.call(head.rows[0].cells);
    cells.forEach(function (th, i) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.textContent = th.textContent;
      th.textContent = '';
      th.appendChild(button);
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        cells.forEach(function (other) {
          other.removeAttribute('aria-sort');
        });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var order = collator.compare(text(a, i), text(b, i));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) {
          body.appendChild(row);
        });
      });
    });
  });
  document.querySelectorAll('input[data-filter]').forEach(function (input) {
    var scope = document.getElementById(input.getAttribute('data-filter'));
    if (!scope) return;
    input.hidden = false;
    input.addEventListener('input', function () {
      var query = input.value.trim().toLowerCase();
      scope.querySelectorAll('table tbody tr').forEach(function (row) {
        row.hidden = query !== '' && row.textContent.toLowerCase().indexOf(query) === -1;
      });
    });
  });
})();
