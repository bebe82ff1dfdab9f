// Tabs as the ARIA Authoring Practices describe them: a tablist of buttons, one tab stop
// (the selected tab); Left/Right arrows move between tabs and select them, Home and End go
// to the first and last. Only the selected panel's content is rendered. Panels are not tab
// stops themselves: each one's content starts with something focusable.
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';

export interface TabSpec<Id extends string> {
  id: Id;
  label: string;
  render: () => ComponentChildren;
}

export function Tabs<Id extends string>({
  label,
  tabs,
  selected,
  onSelect,
  idPrefix = 'tab',
}: {
  /** The tablist's accessible name. */
  label: string;
  tabs: TabSpec<Id>[];
  selected: Id;
  onSelect: (id: Id) => void;
  idPrefix?: string;
}) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);
  const move = (index: number) => {
    const count = tabs.length;
    const next = tabs[((index % count) + count) % count];
    if (!next) return;
    onSelect(next.id);
    buttons.current[((index % count) + count) % count]?.focus();
  };
  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const target = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    move(target);
  };
  return (
    <div class="tabs">
      <div role="tablist" aria-label={label} class="tablist">
        {tabs.map((tab, index) => {
          const isSelected = tab.id === selected;
          return (
            <button
              key={tab.id}
              ref={(el) => {
                buttons.current[index] = el;
              }}
              type="button"
              role="tab"
              id={`${idPrefix}-${tab.id}`}
              class="tab"
              aria-selected={isSelected ? 'true' : 'false'}
              aria-controls={`${idPrefix}-panel-${tab.id}`}
              tabIndex={isSelected ? 0 : -1}
              onClick={() => onSelect(tab.id)}
              onKeyDown={(e) => onKeyDown(e, index)}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      {tabs.map((tab) => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`${idPrefix}-panel-${tab.id}`}
          aria-labelledby={`${idPrefix}-${tab.id}`}
          class="tabpanel"
          hidden={tab.id !== selected}
        >
          {tab.id === selected && tab.render()}
        </div>
      ))}
    </div>
  );
}
