export { demoCatalogPath, loadCatalog } from './load.ts';
