// Admin exam pages: a search box filters a list of checkboxes (progressive enhancement; the lists
// work without it). <input data-filter-list="ID"> filters the [data-filter-item] elements inside #ID.
document.querySelectorAll("input[data-filter-list]").forEach((box) => {
  const list = document.getElementById(box.dataset.filterList);
  if (!list) return;
  box.addEventListener("input", () => {
    const needle = box.value.trim().toLowerCase();
    list.querySelectorAll("[data-filter-item]").forEach((item) => {
      item.hidden = needle !== "" && !item.textContent.toLowerCase().includes(needle);
    });
  });
});
