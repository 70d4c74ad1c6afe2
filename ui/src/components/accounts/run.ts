/** Runs an administrator's action on the Accounts screen, says how it went, reloads; true when it worked. */
export type Run = (action: () => Promise<unknown>, done?: string) => Promise<boolean>;
