// The JupyterLab builder loads .svg files imported from JavaScript as their source text.
declare module '*.svg' {
  const svgText: string;
  export default svgText;
}
