/**
 * Plain DOM renderings: a pickle as an expandable tree, and a dataset check report. Text from
 * disk is always set as text, never parsed as HTML.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import type { CheckReport } from '../../core/check.js';
import type { IPickleItem } from './pickle-tree.js';

/** A pickle item and its children as nested <details> (top levels open). */
export function renderPickleItem(item: IPickleItem, depth = 0): HTMLElement {
  const line = (): HTMLElement => {
    const row = document.createElement('span');
    const key = document.createElement('span');
    key.className = 'jp-AxoPyPreview-pickleKey';
    key.textContent = item.key;
    const summary = document.createElement('span');
    summary.className = 'jp-AxoPyPreview-pickleValue';
    summary.textContent = item.summary;
    row.append(key, ': ', summary);
    return row;
  };
  if (!item.expandable) {
    const leaf = document.createElement('div');
    leaf.className = 'jp-AxoPyPreview-pickleLeaf';
    leaf.appendChild(line());
    return leaf;
  }
  const details = document.createElement('details');
  details.className = 'jp-AxoPyPreview-pickleNode';
  details.open = depth < 2;
  const summary = document.createElement('summary');
  summary.appendChild(line());
  details.appendChild(summary);
  // Children are made and drawn when the node is first opened: a pickle's tree may be far
  // larger than what anyone opens (see core/pickle/display-tree.ts).
  let drawn = false;
  const draw = (): void => {
    if (drawn || !details.open) return;
    drawn = true;
    void item
      .loadChildren()
      .then(children => children.forEach(child => details.appendChild(renderPickleItem(child, depth + 1))));
  };
  details.addEventListener('toggle', draw);
  draw();
  return details;
}

/** The report of "Check dataset": counts, then one row per issue (errors first). */
export class CheckReportView extends Widget {
  constructor(report: CheckReport, trans: TranslationBundle) {
    super();
    this.addClass('jp-AxoPyCheck');
    const heading = document.createElement('p');
    heading.className = 'jp-AxoPyCheck-summary';
    const errors = report.issues.filter(issue => issue.severity === 'error').length;
    heading.textContent = trans.__(
      '%1: %2 subjects, %3 tasks, %4 trials; %5 errors, %6 warnings',
      report.root || '/',
      report.subjects,
      report.tasks,
      report.trials,
      errors,
      report.issues.length - errors
    );
    this.node.appendChild(heading);
    if (report.issues.length === 0) {
      const ok = document.createElement('p');
      ok.className = 'jp-AxoPyCheck-ok';
      ok.textContent = trans.__('No problems found.');
      this.node.appendChild(ok);
      return;
    }
    const table = document.createElement('table');
    table.className = 'jp-AxoPyCheck-issues';
    const head = document.createElement('tr');
    for (const title of [trans.__('Severity'), trans.__('Path'), trans.__('Problem')]) {
      const th = document.createElement('th');
      th.textContent = title;
      head.appendChild(th);
    }
    table.appendChild(head);
    for (const issue of report.issues) {
      const row = document.createElement('tr');
      row.dataset.severity = issue.severity;
      for (const text of [issue.severity, issue.path, issue.message]) {
        const td = document.createElement('td');
        td.textContent = text;
        row.appendChild(td);
      }
      table.appendChild(row);
    }
    this.node.appendChild(table);
  }
}

/** The report in a main-area tab. */
export function checkReportWidget(report: CheckReport, trans: TranslationBundle): MainAreaWidget<CheckReportView> {
  const widget = new MainAreaWidget({ content: new CheckReportView(report, trans) });
  widget.title.label = trans.__('Check: %1', report.root || '/');
  widget.title.closable = true;
  widget.addClass('jp-AxoPyCheckPanel');
  return widget;
}
