// Types of openapi-document.mjs, for the drift test.
export declare const snapshotUrl: URL;
export declare const typesUrl: URL;
export declare function formatDocument(document: unknown): string;
export declare function serverDocument(): Promise<unknown>;
export declare function renderTypes(document: unknown): Promise<string>;
