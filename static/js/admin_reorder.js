/*
 * One-click reordering of inline rows in the programme admin (issues, sub-points, people in roles).
 *
 * Every tabular inline row whose order field carries data-reorder="position" gets "move up" and
 * "move down" buttons. A click swaps the row with its neighbour and renumbers the order fields of
 * the rows that will be saved (1, 2, 3…); nothing is saved until the editor saves the form, so the
 * edit goes through the same checks as any other change. Without JavaScript, the order numbers
 * can be typed in. No inline script: the file is loaded by the admin's form media.
 */
"use strict";
(function () {
    function orderInput(row) {
        return row.querySelector('input[data-reorder="position"]');
    }

    function reorderableRows(tbody) {
        return Array.from(tbody.children).filter(function (row) {
            return row.classList.contains("form-row") && !row.classList.contains("empty-form") && orderInput(row);
        });
    }

    function willBeSaved(row) {
        // Existing rows, and new rows the editor has started to fill in. A blank new row keeps its
        // empty order, so that it stays unchanged and is not validated.
        const id = row.querySelector('input[type="hidden"][name$="-id"]');
        if (id && id.value) {
            return true;
        }
        return Array.from(row.querySelectorAll("textarea, input[type=text]")).some(function (field) {
            return field.value.trim() !== "";
        });
    }

    function renumber(tbody) {
        let position = 1;
        reorderableRows(tbody).forEach(function (row) {
            if (willBeSaved(row)) {
                orderInput(row).value = position;
                position += 1;
            }
        });
    }

    function move(row, direction) {
        const tbody = row.parentElement;
        const rows = reorderableRows(tbody);
        const index = rows.indexOf(row);
        const target = direction === "up" ? rows[index - 1] : rows[index + 1];
        if (!target) {
            return;
        }
        if (direction === "up") {
            tbody.insertBefore(row, target);
        } else {
            tbody.insertBefore(target, row);
        }
        renumber(tbody);
        row.classList.add("reorder-moved");
        window.setTimeout(function () {
            row.classList.remove("reorder-moved");
        }, 800);
        const button = row.querySelector('button[data-direction="' + direction + '"]');
        if (button) {
            button.focus();
        }
    }

    function addButtons(row) {
        const input = orderInput(row);
        if (!input || row.classList.contains("empty-form") || row.querySelector(".reorder-buttons")) {
            return;
        }
        const group = document.createElement("span");
        group.className = "reorder-buttons";
        [["up", "↑", input.dataset.moveUp], ["down", "↓", input.dataset.moveDown]].forEach(function (spec) {
            const button = document.createElement("button");
            button.type = "button";
            button.className = "reorder-button";
            button.dataset.direction = spec[0];
            button.textContent = spec[1];
            button.title = spec[2];
            button.setAttribute("aria-label", spec[2]);
            group.appendChild(button);
        });
        input.insertAdjacentElement("afterend", group);
    }

    function setUp(root) {
        root.querySelectorAll('input[data-reorder="position"]').forEach(function (input) {
            const row = input.closest("tr.form-row");
            if (row) {
                addButtons(row);
            }
        });
    }

    document.addEventListener("click", function (event) {
        const button = event.target.closest(".reorder-buttons .reorder-button");
        if (!button) {
            return;
        }
        event.preventDefault();
        move(button.closest("tr.form-row"), button.dataset.direction);
    });

    document.addEventListener("formset:added", function (event) {
        setUp(event.target);
    });

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () {
            setUp(document);
        });
    } else {
        setUp(document);
    }
})();
