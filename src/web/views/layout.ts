import type { Actor } from '../../auth/roles.ts';
import { html, type SafeHtml } from '../html.ts';

export interface PageContext {
  actor: Actor | undefined;
  csrf: string | undefined;
  path: string;
}

const NAV: [string, string][] = [
  ['/', 'Queue'],
  ['/signals', 'Published'],
  ['/sources', 'Sources'],
  ['/docs', 'API'],
];

export function layout(ctx: PageContext, title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${ctx.csrf ? html`<meta name="csrf-token" content="${ctx.csrf}">` : ''}
<title>${title} · Signal Desk</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/desk.css">
<link rel="alternate" type="application/feed+json" title="Signals (JSON Feed)" href="/signals.json">
<link rel="alternate" type="application/atom+xml" title="Signals (Atom)" href="/signals.atom">
<script src="/assets/desk.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/">Signal Desk</a>
  <nav aria-label="Main">${NAV.map(([href, label]) => html`<a href="${href}"${ctx.path === href ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
  ${ctx.actor
    ? html`<form class="who" method="post" action="/logout"><input type="hidden" name="_csrf" value="${ctx.csrf}"><span>${ctx.actor.name} <small>(${ctx.actor.role})</small></span> <button type="submit" class="link">Log out</button></form>`
    : html`<a class="who" href="/login">Log in</a>`}
  <button type="button" class="link keys-button" data-action="help" aria-haspopup="dialog">Keys <kbd>?</kbd></button>
</header>
<main id="main" tabindex="-1">
${body}
</main>
<dialog id="keys" aria-labelledby="keys-title">
  <h2 id="keys-title">Keyboard shortcuts</h2>
  <dl class="keys">
    <dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>next / previous draft in the queue</dd>
    <dt><kbd>Enter</kbd></dt><dd>open the selected draft</dd>
    <dt><kbd>c</kbd></dt><dd>claim the selected or open draft</dd>
    <dt><kbd>a</kbd></dt><dd>save and approve the open draft</dd>
    <dt><kbd>s</kbd></dt><dd>use the suggested category as the open draft's Category (fills the field; save to keep it)</dd>
    <dt><kbd>r</kbd></dt><dd>reject the open draft (asks for a reason)</dd>
    <dt><kbd>x</kbd></dt><dd>select the highlighted queue row for a bulk action</dd>
    <dt><kbd>?</kbd></dt><dd>show this list</dd>
    <dt><kbd>Esc</kbd></dt><dd>close</dd>
  </dl>
  <form method="dialog"><button>Close</button></form>
</dialog>
</body>
</html>`;
}

export function notice(text: string | undefined, kind: 'ok' | 'error' = 'ok'): SafeHtml {
  return text ? html`<p class="notice ${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${text}</p>` : html``;
}
