// A secret that is shown once: after `discard` nothing in the page's state holds it.
import type { IssuedTokenView } from "./bindings/IssuedTokenView";

export class OneTimeSecret {
  #secret: string | null;

  constructor(issued: IssuedTokenView) {
    this.#secret = issued.secret;
    // The response object is not kept with the secret in it.
    issued.secret = "";
  }

  get value(): string | null {
    return this.#secret;
  }

  discard(): void {
    this.#secret = null;
  }
}
