import { render } from 'preact';
import { App } from './App';
import { loadConfig } from './config';
import './styles.css';

const root = document.getElementById('app') as HTMLElement;

loadConfig().then(
  (config) => render(<App config={config} />, root),
  (error: unknown) => {
    root.innerHTML = '';
    const panel = document.createElement('div');
    panel.className = 'panel panel-error boot-error';
    panel.setAttribute('role', 'alert');
    const title = document.createElement('h1');
    title.textContent = 'The console cannot start';
    const text = document.createElement('p');
    text.textContent = error instanceof Error ? error.message : String(error);
    panel.append(title, text);
    root.append(panel);
  },
);
