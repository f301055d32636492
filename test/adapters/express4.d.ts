// Express 4 installed under an alias to run the same tests against it; its API is typed like 5's.
declare module 'express4' {
  import express from 'express'
  export default express
}
