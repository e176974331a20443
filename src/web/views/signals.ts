import type { StoredSignal } from '../../publish/signalStore.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout, notice, type PageContext } from './layout.ts';
import { signalCard } from './signalCard.ts';

export function signalsPage(ctx: PageContext, signals: StoredSignal[], next: string | undefined, error?: string): SafeHtml {
  const body = html`
<h1>Published signals</h1>
${notice(error, 'error')}
<p class="feeds">Subscribe: <a href="/signals.json">JSON Feed</a> · <a href="/signals.atom">Atom</a></p>
${signals.length ? html`<div class="signals">${signals.map((s) => signalCard(s.signal))}</div>` : html`<p>Nothing published yet.</p>`}
${next ? html`<p><a class="more" href="/signals?before=${encodeURIComponent(next)}">Older signals →</a></p>` : ''}`;
  return layout(ctx, 'Published signals', body);
}
