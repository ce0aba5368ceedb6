// Lint rules: Next.js's own (core web vitals) and its TypeScript rules, over everything we write.
import next from 'eslint-config-next/core-web-vitals';
import nextTypeScript from 'eslint-config-next/typescript';

const config = [
  ...next,
  ...nextTypeScript,
  {
    rules: {
      // `const { secret: _dropped, ...rest } = value` leaves a field out on purpose
      '@typescript-eslint/no-unused-vars': [
        'warn',
        { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  { ignores: ['.next/**', '.compiled/**', 'lib/generated/**', 'node_modules/**', '.data/**', 'tmp/**', 'next-env.d.ts'] },
];

export default config;
