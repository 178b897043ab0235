/**
 * The analysis view's controls: grouping column, band (SEM or SD), channel and sort feature of
 * the image, the feature columns of the table, and the display filter's inputs; each change is
 * passed on by name.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import type { AnalysisMode, AnalysisModel } from './analysis-model.js';
import type { IDisplayFilter } from './display-filter.js';
import { FEATURE_NAMES, type FeatureName } from './trial-reduction.js';

export type ControlName = 'grouping' | 'spread' | 'channel' | 'sortBy' | 'features' | 'filter';

const GROUP_NONE = '';

export class AnalysisControls {
  readonly node = document.createElement('div');

  constructor(
    private readonly _trans: TranslationBundle,
    private readonly _onChange: (name: ControlName) => void
  ) {
    const trans = _trans;
    this.node.className = 'jp-AxoPyAnalysis-controls';
    this._grouping = this._select(trans.__('Group by'), 'grouping');
    this._spread = this._select(trans.__('Band'), 'spread', [
      ['sem', trans.__('mean ± SEM')],
      ['std', trans.__('mean ± SD')]
    ]);
    this._channel = this._select(trans.__('Channel'), 'channel');
    this._sortBy = this._select(trans.__('Sort by'), 'sortBy', [
      ['', trans.__('trial order')],
      ...FEATURE_NAMES.map(f => [f, f] as [string, string])
    ]);
    this._features = this._checkbox(trans.__('Feature columns'), 'features');
    this._filterInputs = this._filterControls(trans);
  }

  /** Whether the trials table shows the trials' features (read on demand). */
  get featureColumns(): boolean {
    return this._features.checked;
  }

  /** The grouping column chosen (undefined: all trials as one group). */
  get grouping(): string | undefined {
    return this._grouping.value === GROUP_NONE ? undefined : this._grouping.value;
  }

  get spread(): 'sem' | 'std' {
    return this._spread.value === 'std' ? 'std' : 'sem';
  }

  get channel(): number {
    return Number(this._channel.value || 0);
  }

  get sortBy(): FeatureName | undefined {
    return this._sortBy.value === '' ? undefined : (this._sortBy.value as FeatureName);
  }

  /** Shows the controls that apply to `mode`. */
  showFor(mode: AnalysisMode): void {
    const show = (name: ControlName, visible: boolean) => {
      (this.node.querySelector(`[data-control="${name}"]`) as HTMLElement).hidden = !visible;
    };
    show('grouping', mode !== 'image');
    show('spread', mode === 'average');
    show('channel', mode === 'image');
    show('sortBy', mode === 'image');
  }

  /** The display filter the inputs describe. */
  get filter(): IDisplayFilter {
    const i = this._filterInputs;
    return {
      ...(i.bandpass.checked ? { bandpass: { low: Number(i.low.value), high: Number(i.high.value), order: 4 } } : {}),
      ...(i.notch.checked ? { notch: { center: Number(i.center.value), width: 2 } } : {}),
      ...(i.envelope.checked ? { envelope: { cutoff: Number(i.cutoff.value), order: 2 } } : {})
    };
  }

  /** The grouping choices and channels of a model. */
  fill(model: AnalysisModel): void {
    const current = this._grouping.value;
    this._grouping.replaceChildren(
      new Option(this._trans.__('(all trials)'), GROUP_NONE),
      ...model.groupableColumns.map(c => new Option(c, c))
    );
    this._grouping.value = model.groupableColumns.includes(current) ? current : GROUP_NONE;
    this.fillChannels(model);
  }

  /** The channel choices, once the trials' shape is known. */
  fillChannels(model: AnalysisModel): void {
    const names = model.channelNames;
    if (this._channel.options.length === names.length) return;
    this._channel.replaceChildren(...names.map((name, c) => new Option(name, String(c))));
    this._channel.value = String(model.channel);
  }

  private _checkbox(label: string, name: ControlName): HTMLInputElement {
    const input = document.createElement('input');
    input.type = 'checkbox';
    return this._control(name, input, label, 'after');
  }

  private _select(label: string, name: ControlName, options: [string, string][] = []): HTMLSelectElement {
    const select = document.createElement('select');
    select.className = 'jp-mod-styled';
    for (const [value, text] of options) select.add(new Option(text, value));
    return this._control(name, select, label, 'before');
  }

  /** `input` labelled in the controls' row, passing its changes on as `name`. */
  private _control<T extends HTMLInputElement | HTMLSelectElement>(
    name: ControlName,
    input: T,
    label: string,
    labelSide: 'before' | 'after'
  ): T {
    const wrapper = document.createElement('label');
    wrapper.className = 'jp-AxoPyAnalysis-control';
    wrapper.dataset.control = name;
    input.addEventListener('change', () => this._onChange(name));
    if (labelSide === 'before') wrapper.append(`${label} `, input);
    else wrapper.append(input, ` ${label}`);
    this.node.appendChild(wrapper);
    return input;
  }

  /** Band-pass, notch and envelope: a checkbox and the parameters of each. */
  private _filterControls(trans: TranslationBundle): Record<string, HTMLInputElement> {
    const fieldset = document.createElement('fieldset');
    fieldset.className = 'jp-AxoPyAnalysis-filters';
    const legend = document.createElement('legend');
    legend.textContent = trans.__('Display filter (not saved)');
    fieldset.appendChild(legend);
    const inputs: Record<string, HTMLInputElement> = {};
    const add = (key: string, text: string, type: 'checkbox' | 'number', value: string) => {
      const label = document.createElement('label');
      label.append(`${text} `);
      const input = document.createElement('input');
      input.type = type;
      input.dataset.filter = key;
      if (type === 'checkbox') input.checked = value === 'true';
      else {
        input.value = value;
        input.step = 'any';
        input.className = 'jp-mod-styled';
      }
      input.addEventListener('change', () => this._onChange('filter'));
      label.appendChild(input);
      fieldset.appendChild(label);
      inputs[key] = input;
    };
    add('bandpass', trans.__('band-pass'), 'checkbox', 'false');
    add('low', trans.__('from'), 'number', '20');
    add('high', trans.__('to'), 'number', '450');
    add('notch', trans.__('notch'), 'checkbox', 'false');
    add('center', trans.__('at'), 'number', '50');
    add('envelope', trans.__('rectify + envelope'), 'checkbox', 'false');
    add('cutoff', trans.__('low-pass'), 'number', '6');
    this.node.appendChild(fieldset);
    return inputs;
  }

  private readonly _grouping: HTMLSelectElement;
  private readonly _spread: HTMLSelectElement;
  private readonly _channel: HTMLSelectElement;
  private readonly _sortBy: HTMLSelectElement;
  private readonly _features: HTMLInputElement;
  private readonly _filterInputs: Record<string, HTMLInputElement>;
}
