/**
 * The page's only stylesheet (inline, nonce'd; no font or image from anywhere). Severity is always
 * a colour *and* a word (and a shape on the timeline). Colour pairs keep ≥ 4.5:1 in both themes.
 */
export const DASHBOARD_STYLES = `
:root{color-scheme:light dark;
--bg:#f4f5f7;--surface:#fff;--fg:#1b1f24;--muted:#56606b;--border:#d3d8de;--link:#0a56c2;--focus:#0a56c2;--code-bg:#eef0f3;
--expired-bg:#7a0b1d;--expired-fg:#fff;--critical-bg:#c0211d;--critical-fg:#fff;--warning-bg:#f5c23e;--warning-fg:#3a2900;
--notice-bg:#d5e4ff;--notice-fg:#0b3a85;--ok-bg:#cdeed6;--ok-fg:#0d4a27;--unknown-bg:#e1e4e8;--unknown-fg:#2f3740;
--band-expired:#f7dadd;--band-critical:#fde6e4;--band-warning:#fff4d1;--band-notice:#e9f0ff;--band-ok:#eef8f1;
--fail-fg:#a3141c;--pass-fg:#156b37;--mk-notice:#2f6fd6}
@media (prefers-color-scheme:dark){:root{
--bg:#0d1117;--surface:#161b22;--fg:#e6edf3;--muted:#a3aeb9;--border:#343c46;--link:#79b8ff;--focus:#79b8ff;--code-bg:#21262d;
--expired-bg:#ff9fa8;--expired-fg:#3d0009;--critical-bg:#f0625b;--critical-fg:#1c0000;--warning-bg:#e3b13a;--warning-fg:#1f1500;
--notice-bg:#315f9e;--notice-fg:#fff;--ok-bg:#276c3f;--ok-fg:#fff;--unknown-bg:#49525d;--unknown-fg:#fff;
--band-expired:#3a1419;--band-critical:#3a1a18;--band-warning:#342a12;--band-notice:#17253b;--band-ok:#15271c;
--fail-fg:#ff8d8d;--pass-fg:#6fd99a;--mk-notice:#6ea8ff}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;overflow-wrap:break-word}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
code{font:0.875em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code-bg);padding:0 .25em;border-radius:4px;overflow-wrap:anywhere}
[hidden]{display:none!important}
.skip{position:absolute;left:-999px;top:0;background:var(--surface);padding:.5rem 1rem;z-index:1}
.skip:focus{left:1rem}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.top{background:var(--surface);border-bottom:1px solid var(--border)}
.top-inner,main,.foot{max-width:82rem;margin:0 auto;padding:0 1rem}
.top-inner{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;align-items:baseline;justify-content:space-between;padding-top:.75rem;padding-bottom:.75rem}
.brand{font-weight:700;margin:0;text-decoration:none;color:var(--fg)}
.who{margin:0;color:var(--muted);font-size:.875rem}
.who strong{color:var(--fg);font-weight:600}
main{padding-top:1rem;padding-bottom:2rem}
h1{font-size:1.5rem;line-height:1.25;margin:.25rem 0 .25rem}
h2{font-size:1.125rem;margin:2rem 0 .5rem}
.lede{margin:0 0 1rem;color:var(--muted)}
.crumbs{margin:0;font-size:.875rem}
.panel{background:var(--surface);border:1px solid var(--border);border-radius:8px;padding:1rem}
.tiles{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 1rem;padding:0}
.tiles a{display:grid;grid-template-columns:auto 1fr;align-items:center;gap:0 .5rem;padding:.35rem .75rem;border:1px solid var(--border);border-radius:8px;background:var(--surface);color:var(--fg);text-decoration:none;min-height:2.5rem}
.tiles a:hover{border-color:var(--link)}
.tiles .count{font-size:1.25rem;font-weight:700;font-variant-numeric:tabular-nums}
.tiles .sev{justify-self:start}
.tiles .what{grid-column:1/-1;font-size:.75rem;color:var(--muted);line-height:1.3}
/* The fleet: its rows first (a phone shows them before the timeline); on a wide screen the timeline above them. */
.fleet{display:flex;flex-direction:column}
@media (min-width:52rem){.fleet-timeline{order:-1}}
.ok-asset{display:block}
.pager{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:baseline;margin:.75rem 0 0}
.pager p{margin:0;flex-basis:100%;color:var(--muted);font-size:.875rem}
.pager a{font-weight:600}
.sev{display:inline-flex;align-items:center;gap:.3rem;padding:.05rem .55rem;border-radius:999px;font-weight:650;font-size:.8125rem;white-space:nowrap;line-height:1.5}
.sev-expired{background:var(--expired-bg);color:var(--expired-fg)}
.sev-critical{background:var(--critical-bg);color:var(--critical-fg)}
.sev-warning{background:var(--warning-bg);color:var(--warning-fg)}
.sev-notice{background:var(--notice-bg);color:var(--notice-fg)}
.sev-ok{background:var(--ok-bg);color:var(--ok-fg)}
.sev-unknown{background:var(--unknown-bg);color:var(--unknown-fg)}
.sev::before{content:"";flex:none;width:.6rem;height:.6rem;background:currentColor}
.sev-expired::before{clip-path:polygon(20% 0,50% 30%,80% 0,100% 20%,70% 50%,100% 80%,80% 100%,50% 70%,20% 100%,0 80%,30% 50%,0 20%);width:.65rem;height:.65rem}
.sev-critical::before{clip-path:polygon(50% 0,100% 50%,50% 100%,0 50%);width:.7rem;height:.7rem}
.sev-warning::before{clip-path:polygon(50% 0,100% 100%,0 100%);width:.7rem}
.sev-notice::before{border-radius:50%}
.sev-ok::before{border-radius:50%;background:none;border:2px solid currentColor}
.sev-unknown::before{display:none}
@media (forced-colors:active){.sev::before{forced-color-adjust:none;background:CanvasText}.sev-ok::before{background:none;border-color:CanvasText}}
.tag{display:inline-block;font-size:.75rem;font-weight:600;padding:0 .4rem;border:1px solid currentColor;border-radius:4px;color:var(--muted);white-space:nowrap}
.tag-alert{color:var(--fail-fg)}
.filter{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:0 0 .75rem}
.filter label{font-weight:600}
.filter input{font:inherit;color:inherit;background:var(--surface);border:1px solid var(--muted);border-radius:6px;padding:.35rem .6rem;width:min(24rem,100%)}
.filter output{color:var(--muted);font-size:.875rem}
.filter button{padding:.35rem .9rem}
.scroll{overflow-x:auto;background:var(--surface);border:1px solid var(--border);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:.8125rem}
.scroll>table{min-width:56rem}
#assets th[scope=row]{min-width:12rem}
td.apple{min-width:12rem}
caption{text-align:left;padding:.6rem .75rem;font-weight:600;border-bottom:1px solid var(--border)}
th,td{padding:.5rem .6rem;text-align:left;vertical-align:top;border-bottom:1px solid var(--border)}
tbody tr:last-child>*{border-bottom:0}
tr.group>th{background:var(--code-bg);color:var(--muted);font-size:.6875rem;font-weight:650;text-transform:uppercase;letter-spacing:.03em;padding:.35rem .6rem}
thead th{font-size:.6875rem;font-weight:650;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);vertical-align:bottom}
tbody th{font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.when{white-space:nowrap}
.left{display:block;margin-top:.3rem;font-weight:600;white-space:nowrap}
.sub{display:block;font-weight:400;color:var(--muted);font-size:.8125rem;margin-top:.15rem}
.finding{display:block;font-weight:400;margin-top:.2rem}
.consent{color:var(--fail-fg)}
details.why{font-weight:400;margin-top:.25rem}
details.why summary{cursor:pointer;color:var(--link)}
details.why code{display:block;margin-top:.25rem}
.told{display:inline-flex;align-items:center;gap:.35rem;margin:0 .75rem .25rem 0;white-space:nowrap}
tr.row-expired>:first-child{box-shadow:inset 4px 0 var(--expired-bg)}
tr.row-critical>:first-child{box-shadow:inset 4px 0 var(--critical-bg)}
tr.row-warning>:first-child{box-shadow:inset 4px 0 var(--warning-bg)}
tr.row-unknown>:first-child{box-shadow:inset 4px 0 var(--unknown-bg)}
/* The strip keeps a readable width and scrolls sideways below it: said in words where it does. */
.tl-hint{display:none;margin:0 0 .4rem;font-size:.875rem;color:var(--muted)}
@media (max-width:49.5rem){.tl-hint{display:block}}
.tl-wrap{overflow-x:auto;background:var(--surface);border:1px solid var(--border);border-radius:8px;padding:.5rem}
svg.tl{display:block;width:100%;min-width:46rem;height:auto;font-family:inherit}
.tl .band-expired{fill:var(--band-expired)}.tl .band-critical{fill:var(--band-critical)}.tl .band-warning{fill:var(--band-warning)}.tl .band-notice{fill:var(--band-notice)}.tl .band-ok{fill:var(--band-ok)}
.tl text{fill:var(--fg);font-size:13px}
.tl .band-name{font-weight:600;fill:var(--muted)}
.tl .tick-label{fill:var(--muted)}
.tl .axis,.tl .tick,.tl .today{stroke:var(--muted);stroke-width:1.5}
.tl .stem{stroke:var(--muted);stroke-width:1;stroke-dasharray:2 3;opacity:.7}
.mk .shape{stroke:var(--surface);stroke-width:1.5}
.mk-expired .shape{fill:var(--expired-bg)}.mk-expired .cross{stroke:var(--expired-fg);stroke-width:2;stroke-linecap:round}
.mk-critical .shape{fill:var(--critical-bg)}
.mk-warning .shape{fill:var(--warning-bg);stroke:var(--warning-fg);stroke-width:1.5}
.mk-notice .shape{fill:var(--mk-notice)}
.mk-ok .shape.hollow{fill:var(--surface);stroke:var(--ok-fg);stroke-width:2.5}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;padding:0;margin:.5rem 0 0;font-size:.8125rem;color:var(--muted)}
.legend li{display:inline-flex;align-items:center;gap:.35rem}
.glyph{flex:none}
figure{margin:0}
figcaption{font-size:.875rem;color:var(--muted);margin:.5rem 0 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;min-width:0}
@media (max-width:36rem){dl.facts{grid-template-columns:1fr}dl.facts dd{margin-bottom:.5rem}}
.alert-box{border-left:4px solid var(--critical-bg);background:var(--surface);padding:.75rem 1rem;border-radius:0 8px 8px 0;margin:0 0 1rem}
.alert-box p{margin:.25rem 0}
.empty{color:var(--muted);margin:.25rem 0}
form.dryrun fieldset{border:1px solid var(--border);border-radius:8px;padding:.75rem 1rem 1rem;margin:0;min-width:0}
form.dryrun legend{font-weight:600;padding:0 .25rem}
form.dryrun label{display:block;font-weight:600;margin:.25rem 0}
form.dryrun input[type=text],form.dryrun input[type=date],form.dryrun select{font:inherit;color:inherit;background:var(--surface);border:1px solid var(--muted);border-radius:6px;padding:.35rem .6rem;width:min(24rem,100%)}
.help{color:var(--muted);font-size:.8125rem;margin:.25rem 0 .75rem}
button{font:inherit;font-weight:600;color:#fff;background:var(--link);border:0;border-radius:6px;padding:.45rem 1rem;cursor:pointer}
@media (prefers-color-scheme:dark){button{color:#0d1117}}
button:disabled{opacity:.6;cursor:not-allowed}
.result{margin-top:.75rem}
.ack-trail{margin:.25rem 0 0;padding-left:1.25rem;font-size:.875rem}
form.unack{margin:0}
.result ol{margin:.5rem 0 0;padding-left:1.5rem}
.result .pass{color:var(--pass-fg)}.result .fail{color:var(--fail-fg)}
.result li span{color:var(--fg)}
.steps{margin:.25rem 0 1rem;padding-left:1.25rem}
.foot{color:var(--muted);font-size:.8125rem;padding-bottom:2rem}
.problem{max-width:40rem}
td code,th code{overflow-wrap:normal;white-space:nowrap}
td code.wrap{white-space:normal;overflow-wrap:anywhere}
.id{white-space:nowrap}
/* A tenant id may break at its hyphens: the asset column needs the room more. */
.sub.id{font-size:.75rem;white-space:normal}
td.when .note{white-space:normal}
/* Narrow screens: the wide tables reflow into one card per row (headers stay for assistive technology). */
@media (max-width:52rem){
.scroll>table.reflow,table.reflow td.apple,#assets th[scope=row]{min-width:0}
table.reflow thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
table.reflow,table.reflow tbody,table.reflow tr{display:block}
table.reflow tr{padding:.6rem .75rem;border-bottom:1px solid var(--border)}
table.reflow tbody tr:last-child{border-bottom:0}
/* The label floats in the cell's left padding; the cell (its own formatting context) grows to hold a label longer than its value. */
table.reflow td,table.reflow tbody th{display:flow-root;padding:.2rem 0 .2rem 7.5rem;border:0;text-align:left}
table.reflow td::before,table.reflow tbody th::before{content:attr(data-label) / "";float:left;width:7rem;margin:.15rem 0 0 -7.5rem;white-space:normal;color:var(--muted);font-size:.6875rem;font-weight:600;text-transform:uppercase;letter-spacing:.03em;line-height:1.3}
table.reflow .id,table.reflow td code{white-space:normal;overflow-wrap:anywhere}
table.reflow tr.group{padding:0}
table.reflow tr.group>th{padding:.35rem .75rem;min-height:0}
table.reflow tr.group>th::before{content:none}
tr.row-expired>:first-child,tr.row-critical>:first-child,tr.row-warning>:first-child,tr.row-unknown>:first-child{box-shadow:none}
table.reflow td.nil{display:none}
/* A fleet card leads with severity, tenant and asset, unlabelled: they say what they are. */
#assets tr[data-filter]>:nth-child(-n+3){padding-left:0}
#assets tr[data-filter]>:nth-child(-n+3)::before{content:none}
#assets .left{display:inline;margin:0 0 0 .5rem}
#assets td.when time .sub{display:inline;margin-left:.4rem}
table.reflow tr.row-expired{box-shadow:inset 4px 0 var(--expired-bg)}
table.reflow tr.row-critical{box-shadow:inset 4px 0 var(--critical-bg)}
table.reflow tr.row-warning{box-shadow:inset 4px 0 var(--warning-bg)}
table.reflow tr.row-unknown{box-shadow:inset 4px 0 var(--unknown-bg)}
}
`;
