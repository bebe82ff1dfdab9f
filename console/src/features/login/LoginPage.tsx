// Sign-in: the administrator's username and password for an admin token (2 hours), kept
// for this tab only; then back to where the user was going.
import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import { setSession } from '../../auth/session';
import { useTitle } from '../../components/bits';
import { useApp } from '../../context';
import { ApiError, formatWait, userMessage } from '../../lib/errors';
import { navigate, safeNext } from '../../router';

export function loginErrorMessage(error: unknown): string {
  if (error instanceof ApiError && error.kind === 'http') {
    if (error.status === 401) return 'Wrong username or password.';
    if (error.status === 429) {
      return error.retryAfter !== null
        ? `Too many sign-in attempts. Try again in ${formatWait(error.retryAfter)}.`
        : 'Too many sign-in attempts. Try again later.';
    }
    if (error.status === 422) return 'Enter both the username and the password.';
  }
  return userMessage(error);
}

export function LoginPage({ search }: { search: string }) {
  useTitle('Sign in');
  const { api } = useApp();
  const params = new URLSearchParams(search);
  const next = safeNext(params.get('next'));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const token = await call(api.POST('/api/v1/auth/login', { body: { username: username.trim(), password } }));
      setSession({ token: token.accessToken, expiresAt: Date.now() + token.expiresIn * 1000 });
      navigate(next, { replace: true });
    } catch (e) {
      setError(loginErrorMessage(e));
      setBusy(false);
    }
  };

  return (
    <div class="login">
      <div class="login-card">
        <img src="/favicon.svg" alt="" width={40} height={40} />
        <h1>Recordings console</h1>
        {params.get('expired') && !error && (
          <p class="notice" role="status">
            Your session has ended. Sign in again to continue.
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <label for="username">Username</label>
          <input
            id="username"
            name="username"
            autocomplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="button button-primary button-block" disabled={busy || !username || !password}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </div>
  );
}
