/** Types for install-deps.mjs, which stays plain JavaScript (it runs before TypeScript tooling is installed). */
export function installCommand(root: string): [string, string[]];
export function installDependencies(options: {
  root: string;
  print?: (text: string) => void;
  command?: [string, string[]];
  now?: () => number;
}): Promise<number>;
