// Sortable tables (progressive enhancement): a click on a <th data-sort-type="number|text"> of a
// <table data-sortable> sorts its body by that column; cells may carry data-value to sort by.
document.querySelectorAll("table[data-sortable]").forEach((table) => {
  const headers = Array.from(table.tHead ? table.tHead.rows[0].cells : []);
  headers.forEach((header, column) => {
    if (!header.dataset.sortType) return;
    header.setAttribute("role", "button");
    header.tabIndex = 0;
    const sort = () => {
      const ascending = header.getAttribute("aria-sort") !== "ascending";
      headers.forEach((other) => other.removeAttribute("aria-sort"));
      header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const value = (row) => {
        const cell = row.cells[column];
        const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
        if (header.dataset.sortType !== "number") return raw;
        const number = parseFloat(raw);
        return Number.isNaN(number) ? -Infinity : number;
      };
      const body = table.tBodies[0];
      const rows = Array.from(body.rows);
      rows.sort((a, b) => {
        const x = value(a), y = value(b);
        const order = typeof x === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    };
    header.addEventListener("click", sort);
    header.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
    });
  });
});
