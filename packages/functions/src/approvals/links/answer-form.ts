import { html, page, type Html } from "../../platform/web/html";
import { withTimes } from "../../platform/web/format";

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

/** A link's form page: what is asked, the terms as the link binds them, what an approval covers, and the form. */
export function askPage(p: {
  title: string;
  heading: string;
  message?: string;
  summary: Html;
  covers: string;
  form: Html;
  after?: Html;
}): string {
  return page(
    { title: p.title },
    html`<h1>${p.heading}</h1>
      ${p.message ? html`<div class="notice bad" role="alert">${withTimes(p.message)}</div>` : ""}
      <section class="card" aria-labelledby="terms-h">
        <h2 id="terms-h">What you are asked to approve</h2>
        ${p.summary}
        <p>Approving covers exactly: ${withTimes(p.covers)}. Nothing else is bought with it.</p>
      </section>
      <section class="card" aria-labelledby="answer-h">
        <h2 id="answer-h">Your answer</h2>
        ${p.form}
      </section>
      ${p.after ?? ""}`,
  );
}
