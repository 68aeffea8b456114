// Type-aware lint: typescript-eslint's recommended + type-checked sets over src, test, bench and scripts.
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      ".build-*/**",
      "node_modules/**",
      "coverage/**",
      "out/**",
      "**/*.js",
      "**/*.mjs",
      "**/*.cjs",
      // Handlebars' precompiler output (npm run gen:templates), checked against the templates by a test.
      "src/emit/templates.precompiled.ts",
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      "no-eval": "error",
      "no-new-func": "error",
      "@typescript-eslint/no-implied-eval": "error",
    },
  },
);
