/** JSON-safe value types. Everything that crosses the engine boundary (CLI JSON, IPC, reports) is one of these. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
