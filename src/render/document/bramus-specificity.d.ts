// @bramus/specificity ships types its package.json "exports" does not point NodeNext at.
declare module '@bramus/specificity' {
  interface SpecificityValue {
    toArray(): [number, number, number]
  }
  const Specificity: {
    calculateForAST(selectorAst: object): SpecificityValue
  }
  export default Specificity
}
