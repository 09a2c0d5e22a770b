import { html, type Html } from "./html";

/**
 * The answer form of every link: the page's CSRF token, a justification, the "I have read the terms" box, and the
 * buttons. Nothing acts without a person submitting it.
 */
export function answerForm(f: { action: string; csrf: string; required: boolean; approve: string; deny?: string; confirm: string }): Html {
  return html`<form method="post" action="${f.action}">
    <input type="hidden" name="csrf" value="${f.csrf}" />
    <label for="justification">Justification${f.required ? " (required by this block's policy)" : " (optional)"}</label>
    <textarea
      id="justification"
      name="justification"
      rows="3"
      maxlength="1000"
      ${f.required ? html`required aria-required="true"` : ""}
    ></textarea>
    <label class="check"><input type="checkbox" name="confirm" value="yes" required /> ${f.confirm}</label>
    <div class="actions">
      <button type="submit" name="action" value="approve" class="primary">${f.approve}</button>
      ${f.deny ? html`<button type="submit" name="action" value="deny" class="danger">${f.deny}</button>` : ""}
    </div>
  </form>`;
}
