// Where a server's reference measurements live in the API.
export const referencesPath = (serverId: string) => `/api/servers/${encodeURIComponent(serverId)}/reference-measurements`;
