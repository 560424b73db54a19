/**
 * The signed-in token, kept in sessionStorage: it lives as long as the tab, is never sent anywhere
 * but in the Authorization header of API calls, and is gone when the tab closes.
 */
const KEY = 'datalake.token';

export function savedToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
