/**
 * The package version `mesh --version` prints. A constant rather than a read of package.json:
 * the CLI bundle runs from dist/ in every install layout, and a JSON import would need a
 * bundler plugin; test/cli-install.test.ts keeps it equal to package.json's "version".
 */
export const MESH_VERSION = '0.1.0';
