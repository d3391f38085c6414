// Webview entry: the panel page (see app.ts); messages are typed and validated in protocol.ts.
import { start } from './app';

start();
