import { createContext, useContext } from "react";

/**
 * This request's CSP nonce (app/security/headers.ts), for the inline scripts
 * Remix writes. Given by entry.server.tsx; in the browser it is "" (a browser
 * hides nonces from the page, and the scripts already ran).
 */
export const NonceContext = createContext("");
export const useNonce = () => useContext(NonceContext);
