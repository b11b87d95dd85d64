/** RemoteHouse's page: mounts the app into #app of the bridge's HTML shell. */
import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
