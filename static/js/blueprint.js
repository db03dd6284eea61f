// The paper blueprint on the rules tab: recount the questions each row can draw from when the banks or
// the difficulty range change (progressive enhancement; without it the "Update the counts" button asks
// the server). Each row carries data-counts = {bank: [questions at level 1, …, level 5]}.
document.querySelectorAll("form[data-blueprint]").forEach((form) => {
  const low = form.querySelector("select[name=difficulty_min]");
  const high = form.querySelector("select[name=difficulty_max]");

  function recount() {
    const chosen = Array.from(form.querySelectorAll("input[name=banks]:checked"), (box) => box.value);
    const from = Number(low.value);
    const to = Number(high.value);
    form.querySelectorAll("tr[data-counts]").forEach((row) => {
      const counts = JSON.parse(row.dataset.counts);
      let available = 0;
      Object.keys(counts).forEach((bank) => {
        if (chosen.length && !chosen.includes(bank)) return;
        counts[bank].forEach((n, index) => {
          if (index + 1 >= from && index + 1 <= to) available += n;
        });
      });
      row.querySelector("[data-available]").textContent = String(available);
      const count = row.querySelector("input[name^=count-]");
      count.classList.toggle("is-invalid", Number(count.value || 0) > available);
    });
  }

  form.addEventListener("change", recount);
  form.addEventListener("input", recount);
  const button = form.querySelector("[data-blueprint-recount]");
  if (button) button.hidden = true;  // the counts follow the form as it changes
});
