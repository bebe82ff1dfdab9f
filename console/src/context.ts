import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api/client';
import type { ConsoleConfig } from './config';

export type ToastKind = 'success' | 'error' | 'info';

/** A button in a toast ("Undo"): runs once, then the toast goes. */
export interface ToastAction {
  label: string;
  /** What the button's accessible name adds to the label ("Undo the delete of 3 recordings"). */
  description?: string;
  run: () => void;
}

export interface AppServices {
  api: Api;
  config: ConsoleConfig;
  toast: (kind: ToastKind, message: string, action?: ToastAction) => void;
  signOut: () => void;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp outside the app');
  return services;
}
