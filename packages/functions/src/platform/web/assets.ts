/*
 * The pages' only style and script, inlined and allowed by hash in the Content-Security-Policy (platform/web/html.ts).
 * Colours meet WCAG AA contrast on white (text #1b1f24, muted #4d5561, links #0b57d0, danger #b3261e); focus is
 * always visible.
 */

export const STYLE = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f7f9}
header{display:flex;gap:1.5rem;align-items:center;flex-wrap:wrap;padding:.75rem 1.5rem;background:#14213d;color:#fff}
header a{color:#fff}.brand{font-weight:700}nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}
nav form{display:inline}nav button{background:none;border:1px solid #fff;color:#fff;padding:.2rem .6rem}
main{max-width:72rem;margin:1.5rem auto;padding:0 1.5rem}main:focus{outline:none}
a{color:#0b57d0}a:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,select:focus-visible{outline:3px solid #f4b400;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;color:#0b57d0;padding:.5rem;z-index:9}
.card{background:#fff;border:1px solid #d0d5dd;border-radius:8px;padding:1rem 1.25rem;margin:0 0 1.25rem}
h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:0 0 .75rem}
table{border-collapse:collapse;width:100%;background:#fff}caption{text-align:left;font-weight:600;padding:.4rem 0}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e3e6ea;vertical-align:top}th{background:#eef1f5}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
dl.terms{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1.25rem;margin:0}dt{color:#4d5561}dd{margin:0;font-weight:600}
.muted{color:#4d5561}.badge{display:inline-block;padding:0 .5rem;border-radius:99px;font-size:.85rem;border:1px solid currentColor}
.needs-you{color:#8a4b00}.ends{color:#b3261e}.extends{color:#146c2e}.retrying{color:#4d5561}
.notice{border-left:6px solid #0b57d0;background:#fff;padding:1rem 1.25rem;margin:0 0 1.25rem}.notice.bad{border-color:#b3261e}.notice.good{border-color:#146c2e}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}textarea,input[type=text],input[type=password]{width:100%;max-width:36rem;padding:.5rem;border:1px solid #7b8494;border-radius:4px;font:inherit}
.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:400}.check input{margin-top:.35rem}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1rem}
button{font:inherit;padding:.55rem 1.1rem;border-radius:6px;border:1px solid #1b1f24;background:#fff;color:#1b1f24;cursor:pointer}
button.primary{background:#146c2e;border-color:#146c2e;color:#fff}button.danger{background:#b3261e;border-color:#b3261e;color:#fff}
button:disabled{opacity:.6;cursor:wait}ol.timeline{list-style:none;padding:0;margin:0}ol.timeline li{padding:.4rem 0;border-bottom:1px solid #e3e6ea}
code{font-size:.9em;background:#eef1f5;padding:0 .25rem;border-radius:3px}`;

/**
 * Progressive enhancement only: forms work without it. It stops a second submission while the first is on its way,
 * and shows each time in the reader's own time zone in the pages' one format ("2031-07-03 17:00 IST"), keeping the
 * UTC text the server wrote as the tooltip (format.ts `time`). It never submits anything by itself.
 */
export const SCRIPT = `document.querySelectorAll("form").forEach(function(f){f.addEventListener("submit",function(){setTimeout(function(){f.querySelectorAll("button").forEach(function(b){b.disabled=true})},0)})});
(function(){var f;try{f=new Intl.DateTimeFormat(undefined,{year:"numeric",month:"2-digit",day:"2-digit",hour:"2-digit",minute:"2-digit",hourCycle:"h23",timeZoneName:"short"})}catch(e){return}
document.querySelectorAll("time[datetime]").forEach(function(t){var d=new Date(t.getAttribute("datetime"));if(isNaN(d))return;var p={};f.formatToParts(d).forEach(function(x){p[x.type]=x.value});
if(!t.title)t.title=t.textContent;t.textContent=p.year+"-"+p.month+"-"+p.day+" "+p.hour+":"+p.minute+" "+p.timeZoneName})})();`;
