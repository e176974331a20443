import { html, type SafeHtml } from '../html.ts';
import { layout, notice, type PageContext } from './layout.ts';

export function loginPage(ctx: PageContext, next: string, error?: string): SafeHtml {
  const body = html`
<h1>Log in</h1>
${notice(error, 'error')}
<form method="post" action="/login" class="login">
  <input type="hidden" name="next" value="${next}">
  <label for="token">API token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus aria-describedby="token-help">
  <p id="token-help" class="hint">An operator creates one with <code>signal-desk users add NAME --role editor</code>.</p>
  <button type="submit" class="primary">Log in</button>
</form>`;
  return layout(ctx, 'Log in', body);
}
