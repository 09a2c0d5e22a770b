import { html, page, pageHeaders } from "./html";

/**
 * What a person sees for each status on a browser route: fixed words per status, never the request's path, query,
 * fields or the error's own message, so nothing a link or a form carried is echoed back into a page.
 */
const PAGES: Record<number, { title: string; text: string }> = {
  400: { title: "Not understood", text: "This address or form was not understood, so nothing was changed. Go back and try again." },
  403: { title: "Refused", text: "This page cannot be opened this way. Sign in to the console, or open the link from its notice." },
  404: { title: "Not found", text: "There is no page at this address. Check the link, or start from the console." },
  405: { title: "Not allowed", text: "This page cannot be used with that kind of request, so nothing was changed." },
  413: { title: "Too large", text: "That form was too large, so nothing was changed." },
  415: { title: "Not a form", text: "That was not sent as an ordinary web form, so nothing was changed." },
  421: { title: "Wrong address", text: "This server answers only at its own address. Open CBM from the address it printed." },
  429: { title: "Too many attempts", text: "Too many attempts from here. Wait a minute, then try again." },
  503: {
    title: "Try again shortly",
    text: "A service CBM depends on did not answer in time. Nothing may have changed; try again shortly.",
  },
};
const FALLBACK = { title: "Something went wrong", text: "CBM could not answer this request. Nothing may have changed; try again later." };

/** An error as an HTML page with the pages' security headers; `extra` keeps Allow, Retry-After and the like. */
export function errorPage(statusCode: number, extra: Record<string, string> = {}): { body: string; headers: Record<string, string> } {
  const p = PAGES[statusCode] ?? FALLBACK;
  const body = page(
    { title: p.title },
    html`<h1>${p.title}</h1>
      <div class="notice bad" role="alert"><p>${p.text}</p></div>`,
  );
  return { body, headers: pageHeaders(extra) };
}
