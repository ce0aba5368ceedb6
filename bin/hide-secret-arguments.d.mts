export function maskSecretArguments(args: string[]): string[];
export function hideSecretArguments(argv?: string[]): boolean;
