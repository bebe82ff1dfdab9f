import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api/client';
import type { ConsoleConfig } from './config';

export type ToastKind = 'success' | 'error' | 'info';

export interface AppServices {
  api: Api;
  config: ConsoleConfig;
  toast: (kind: ToastKind, message: string) => void;
  signOut: () => void;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp outside the app');
  return services;
}
