/** JSON-safe value types. Everything that crosses the engine boundary (CLI JSON, IPC, reports) is one of these. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
/** Optional members (`undefined`) are allowed: JSON.stringify and canonical JSON leave them out. */
export type JsonObject = { [key: string]: JsonValue | undefined };
