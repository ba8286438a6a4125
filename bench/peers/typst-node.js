// Compiles one Typst file to PDF with the Typst compiler that npm's
// @myriaddreamin/typst-ts-node-compiler embeds (Typst 0.14.2 in 0.7.0; npm
// has no Typst 0.14 command line), the way `typst compile --font-path FONTS
// IN OUT` would: a new compiler (system fonts and FONTS), one compile, the
// PDF written.  It prints the milliseconds from before the binding is loaded
// to after the PDF is written: Node's own start-up is not in it, loading
// the compiler, finding fonts, compiling, exporting and writing are.
// lib.sh sets NODE_PATH to where the binding is installed.
//   node typst-node.js FONTS IN.typ OUT.pdf
//   node typst-node.js --version          (the embedded Typst's sys.version)
'use strict';
const start = process.hrtime.bigint();
const { NodeCompiler } = require('@myriaddreamin/typst-ts-node-compiler');
const fs = require('fs');
const path = require('path');

function fail(result) {
	const err = result.takeError() || result.takeDiagnostics();
	for (const d of err ? err.shortDiagnostics : [])
		console.error(`${d.path || '?'}: ${d.message}`);
	if (!err) console.error('typst-node: the compile failed and said nothing');
	process.exit(1);
}

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
	// asked of the compiler, not read from the package's name
	const c = NodeCompiler.create();
	const r = c.compile({ mainFileContent: '#metadata(str(sys.version)) <v>' });
	if (r.hasError() || !r.result) fail(r);
	console.log(c.query(r.result, { selector: '<v>', field: 'value' })[0]);
	process.exit(0);
}
if (args.length !== 3) {
	console.error('usage: node typst-node.js FONTS IN.typ OUT.pdf | --version');
	process.exit(2);
}
const [fonts, input, output] = args.map(a => path.resolve(a));
const compiler = NodeCompiler.create({
	workspace: path.dirname(input), // like the CLI's root: the input's folder
	fontArgs: [{ fontPaths: [fonts] }],
});
const result = compiler.compile({ mainFilePath: input });
if (result.hasError() || !result.result) fail(result);
const warnings = result.takeWarnings();
for (const d of warnings ? warnings.shortDiagnostics : [])
	console.error(`${d.path || '?'}: warning: ${d.message}`);
fs.writeFileSync(output, compiler.pdf(result.result));
console.log((Number(process.hrtime.bigint() - start) / 1e6).toFixed(3));
