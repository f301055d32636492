// Staged inside the built package: prints the file this runtime's export conditions pick for
// the package-private `#signature-backend` (dist/signature/node.js or web.js).
console.log(import.meta.resolve('#signature-backend'))
