// Base class of every list command: --limit, --cursor and --all over the API's cursor pagination, then a
// table (with the next cursor) or the JSON page.
import { Option } from 'clipanion';
import { ApiCommand } from './api-command.ts';

interface Page {
  items: Record<string, unknown>[];
  next_cursor: string | null;
}

export abstract class ListCommand extends ApiCommand {
  limit = Option.String('--limit', '50', { description: 'Page size (1-200)' });
  cursor = Option.String('--cursor', { description: 'Continue after this cursor' });
  all = Option.Boolean('--all', false, { description: 'Follow cursors until the last page' });

  /** Fetch one page (or every page with --all) of `path`, with `filters` left out when undefined. */
  protected async fetchPages(path: string, filters: Record<string, string | undefined> = {}): Promise<Page> {
    const client = this.client();
    const items: Record<string, unknown>[] = [];
    let cursor = this.cursor;
    let next: string | null = null;
    do {
      const params = { ...filters, limit: this.limit, cursor };
      const query = new URLSearchParams(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
      const page = await client.request<Page>('GET', `${path}?${query}`);
      items.push(...page.items);
      next = page.next_cursor;
      cursor = next ?? undefined;
    } while (this.all && next !== null);
    return { items, next_cursor: next };
  }

  protected printPage(page: Page, columns: string[]): void {
    if (this.json) this.printJson(page);
    else this.print(this.table(page.items, columns) + (page.next_cursor ? `next cursor: ${page.next_cursor}\n` : ''));
  }
}
